/**
 * The rules of tenant keys, pure (KMS's): the states a key moves through and what each allows,
 * alias names, rotation settings and when a rotation is due, the on-demand rotation limit, and the
 * levels the key meters bill. Every refusal is KMS's error, or EC2's where a volume names the key.
 */
import { BadRequest, Conflict } from '../kit/errors';

export const KEY_STATES = ['Enabled', 'Disabled', 'PendingDeletion'] as const;
export type KeyState = (typeof KEY_STATES)[number];

export const MIN_PENDING_WINDOW_DAYS = 7;
export const MAX_PENDING_WINDOW_DAYS = 30;
export const DEFAULT_PENDING_WINDOW_DAYS = 30;
export const MIN_ROTATION_PERIOD_DAYS = 90;
export const MAX_ROTATION_PERIOD_DAYS = 2560;
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;
/** On-demand rotations a key may have in its life (KMS raised it from 10 to 25). */
export const MAX_ON_DEMAND_ROTATIONS = 25;
const DAY_MS = 86_400_000;

const invalidState = (detail: string) => new Conflict('KMSInvalidStateException', detail);

/** Enable or disable: a no-op in the state asked for, refused while the key waits for deletion. */
export function toggledState(state: KeyState, enable: boolean): KeyState {
  if (state === 'PendingDeletion') throw invalidState(`The key is pending deletion; cancel the deletion before you ${enable ? 'enable' : 'disable'} it.`);
  return enable ? 'Enabled' : 'Disabled';
}

/** Schedule deletion: the key stops working now and its material goes at the deletion date. */
export function scheduledDeletion(state: KeyState, pendingWindowInDays: number, now: Date): { keyState: 'PendingDeletion'; deletionDate: string } {
  if (state === 'PendingDeletion') throw invalidState('The key is pending deletion already.');
  if (!Number.isInteger(pendingWindowInDays) || pendingWindowInDays < MIN_PENDING_WINDOW_DAYS || pendingWindowInDays > MAX_PENDING_WINDOW_DAYS) {
    throw new BadRequest('ValidationException', `pendingWindowInDays is ${MIN_PENDING_WINDOW_DAYS} to ${MAX_PENDING_WINDOW_DAYS}.`);
  }
  return { keyState: 'PendingDeletion', deletionDate: new Date(now.getTime() + pendingWindowInDays * DAY_MS).toISOString() };
}

/** Cancel a scheduled deletion: the key comes back Disabled, as KMS brings it back. */
export function cancelledDeletion(state: KeyState): 'Disabled' {
  if (state !== 'PendingDeletion') throw invalidState('The key is not pending deletion.');
  return 'Disabled';
}

/** A key used through the keys API (encrypt, decrypt, data keys, rotate). */
export function assertKeyUsable(state: KeyState): void {
  if (state === 'Disabled') throw new Conflict('DisabledException', 'The key is disabled.');
  if (state === 'PendingDeletion') throw invalidState('The key is pending deletion.');
}

/** A key a volume or snapshot names (EC2's code): it must be Enabled. */
export function assertKeyUsableForStorage(state: KeyState): void {
  if (state !== 'Enabled') throw new BadRequest('InvalidKMSKey.InvalidState', `The key is ${state}; a volume or snapshot needs an Enabled key.`);
}

export const ALIAS_PREFIX = 'alias/';
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;

/** KMS's alias names: `alias/` and letters, digits, `/`, `_`, `-`, 256 characters at most; `alias/aws/` is the platform's. */
export function assertAliasName(name: string): void {
  if (name.length > 256 || !ALIAS_NAME.test(name)) {
    throw new BadRequest('InvalidAliasNameException', 'An alias name is alias/ followed by letters, digits, /, _ and -, at most 256 characters in all.');
  }
  if (name.startsWith('alias/aws/')) throw new BadRequest('InvalidAliasNameException', 'Alias names that begin with alias/aws/ are reserved.');
}

/** Whether a key reference is an alias name (resolved to its key) rather than a key id. */
export function isAliasReference(reference: string): boolean {
  return reference.startsWith(ALIAS_PREFIX);
}

export interface RotationSettings {
  keyRotationEnabled: boolean;
  rotationPeriodInDays: number;
  /** When the next automatic rotation is due; absent while rotation is off. */
  nextRotationDate?: string;
}

/**
 * Rotation settings: the next rotation is one period after `anchor`, as KMS counts it: the moment
 * rotation was turned on, or, when only the period changes, the last rotation (or that moment if there
 * was none), so a shorter period may make a rotation due at once. Turned off: no next date; the
 * period is kept for the next time.
 */
export function rotationSettings(enabled: boolean, rotationPeriodInDays: number, anchor: Date): RotationSettings {
  if (!Number.isInteger(rotationPeriodInDays) || rotationPeriodInDays < MIN_ROTATION_PERIOD_DAYS || rotationPeriodInDays > MAX_ROTATION_PERIOD_DAYS) {
    throw new BadRequest('ValidationException', `rotationPeriodInDays is ${MIN_ROTATION_PERIOD_DAYS} to ${MAX_ROTATION_PERIOD_DAYS}.`);
  }
  if (!enabled) return { keyRotationEnabled: false, rotationPeriodInDays };
  return { keyRotationEnabled: true, rotationPeriodInDays, nextRotationDate: new Date(anchor.getTime() + rotationPeriodInDays * DAY_MS).toISOString() };
}

/** Whether the hourly job rotates this key now: rotation on, the key Enabled, its date reached. */
export function rotationDue(key: { keyState: KeyState; rotation: RotationSettings }, now: Date): boolean {
  const due = key.rotation.nextRotationDate;
  return key.keyState === 'Enabled' && key.rotation.keyRotationEnabled && due !== undefined && Date.parse(due) <= now.getTime();
}

/** The settings after an automatic rotation at `now`: the next one a period later. */
export function afterAutomaticRotation(rotation: RotationSettings, now: Date): RotationSettings {
  return rotationSettings(rotation.keyRotationEnabled, rotation.rotationPeriodInDays, now);
}

/** An on-demand rotation: the key usable, and fewer than 25 before (409 LimitExceededException). */
export function assertOnDemandRotation(state: KeyState, onDemandRotations: number): void {
  assertKeyUsable(state);
  if (onDemandRotations >= MAX_ON_DEMAND_ROTATIONS) {
    throw new Conflict('LimitExceededException', `A key takes at most ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations.`);
  }
}

/** The levels a customer key's meters bill: `key.time` 1 unless pending deletion; `key.rotations` its rotations, up to 2. */
export function keyLevels(key: { keyState: KeyState; rotations: number }): { time: number; rotations: number } {
  if (key.keyState === 'PendingDeletion') return { time: 0, rotations: 0 };
  return { time: 1, rotations: Math.min(key.rotations, 2) };
}
