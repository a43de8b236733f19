/**
 * The rules of volumes, pure (EBS's, as they stand since September 2025, when gp3 grew from 16 TiB,
 * 16,000 IOPS and 1,000 MiB/s): each type's limits, the parameters that depend on one another, the
 * computed fields (gp2's IOPS, gp3's defaults), what a modification may ask and how often, where a
 * volume may be attached, and the levels its meters bill. Every refusal is the contract's error.
 */
import { ApiError, BadRequest, Conflict } from '../kit/errors';

export const VOLUME_TYPES = ['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard'] as const;
export type VolumeType = (typeof VOLUME_TYPES)[number];
export const DEFAULT_VOLUME_TYPE: VolumeType = 'gp2';

interface IopsLimits {
  min: number;
  max: number;
  /** The most per GiB of size; gp3 may always take its baseline (`floor`), whatever the size. */
  perGiB: number;
  floor?: number;
}

interface TypeLimits {
  minGiB: number;
  maxGiB: number;
  /** IOPS the caller provisions (gp3, io1, io2); the other types take none. */
  iops?: IopsLimits;
  /** MiB/s the caller provisions (gp3 only): at most `perIops` per provisioned IOPS. */
  throughput?: { min: number; max: number; perIops: number };
  multiAttach: boolean;
}

export const VOLUME_LIMITS: Readonly<Record<VolumeType, TypeLimits>> = {
  gp2: { minGiB: 1, maxGiB: 16_384, multiAttach: false },
  gp3: {
    minGiB: 1,
    maxGiB: 65_536,
    iops: { min: 3_000, max: 80_000, perGiB: 500, floor: 3_000 },
    throughput: { min: 125, max: 2_000, perIops: 0.25 },
    multiAttach: false,
  },
  io1: { minGiB: 4, maxGiB: 16_384, iops: { min: 100, max: 64_000, perGiB: 50 }, multiAttach: true },
  io2: { minGiB: 4, maxGiB: 65_536, iops: { min: 100, max: 256_000, perGiB: 1_000 }, multiAttach: true },
  st1: { minGiB: 125, maxGiB: 16_384, multiAttach: false },
  sc1: { minGiB: 125, maxGiB: 16_384, multiAttach: false },
  standard: { minGiB: 1, maxGiB: 1_024, multiAttach: false },
};

/** What a provisioned type starts with when the caller names none (gp3's baseline; a new io1/io2 target of a modification). */
export const DEFAULT_IOPS = 3_000;
export const DEFAULT_GP3_THROUGHPUT = 125;
/** gp2 cannot be provisioned: 3 IOPS per GiB, at least 100, at most 16,000. */
export const GP2_IOPS = { perGiB: 3, min: 100, max: 16_000 } as const;
/** io1 and io2 volumes with Multi-Attach: at most this many instances at once. */
export const MAX_MULTI_ATTACH = 16;

export function gp2Iops(sizeGiB: number): number {
  return Math.min(GP2_IOPS.max, Math.max(GP2_IOPS.min, GP2_IOPS.perGiB * sizeGiB));
}

/** The most IOPS a volume of this type and size may provision, or undefined for a type that provisions none. */
export function maxIops(volumeType: VolumeType, sizeGiB: number): number | undefined {
  const limits = VOLUME_LIMITS[volumeType].iops;
  if (!limits) return undefined;
  return Math.min(limits.max, Math.max(limits.floor ?? 0, limits.perGiB * sizeGiB));
}

/** The size and performance that make a volume what it is (and what its meters bill). */
export interface VolumePerformance {
  volumeType: VolumeType;
  /** GiB. */
  size: number;
  /** Provisioned (gp3, io1, io2) or computed (gp2); absent for st1, sc1 and standard. */
  iops?: number;
  /** MiB/s, gp3 only. */
  throughput?: number;
}

const invalid = (detail: string) => new BadRequest('InvalidParameterValue', detail);
const dependency = (detail: string) => new BadRequest('InvalidParameterDependency', detail);

/** Checks a volume's target against its type's limits and fills the computed fields. */
function withinLimits(target: VolumePerformance): VolumePerformance {
  const { volumeType, size } = target;
  const limits = VOLUME_LIMITS[volumeType];
  if (!Number.isInteger(size) || size < limits.minGiB || size > limits.maxGiB) {
    throw invalid(`A ${volumeType} volume is ${limits.minGiB} to ${limits.maxGiB} GiB; ${size} is not.`);
  }
  if (volumeType === 'gp2') return { volumeType, size, iops: gp2Iops(size) };
  if (!limits.iops) return { volumeType, size };
  const iops = target.iops as number;
  const most = maxIops(volumeType, size) as number;
  if (!Number.isInteger(iops) || iops < limits.iops.min || iops > most) {
    throw invalid(`A ${size} GiB ${volumeType} volume takes ${limits.iops.min} to ${most} IOPS; ${iops} is not.`);
  }
  if (!limits.throughput) return { volumeType, size, iops };
  const throughput = target.throughput as number;
  const fastest = Math.min(limits.throughput.max, Math.floor(limits.throughput.perIops * iops));
  if (!Number.isInteger(throughput) || throughput < limits.throughput.min || throughput > fastest) {
    throw invalid(`A ${volumeType} volume with ${iops} IOPS takes ${limits.throughput.min} to ${fastest} MiB/s; ${throughput} is not.`);
  }
  return { volumeType, size, iops, throughput };
}

/** The parameters that only some types take. */
function assertTypeTakes(volumeType: VolumeType, request: { iops?: number | undefined; throughput?: number | undefined }): void {
  const limits = VOLUME_LIMITS[volumeType];
  if (request.iops !== undefined && !limits.iops) throw dependency(`A ${volumeType} volume takes no iops.`);
  if (request.throughput !== undefined && !limits.throughput) throw dependency(`Only a gp3 volume takes throughput, not ${volumeType}.`);
}

export interface VolumeCreateRequest {
  size?: number | undefined;
  volumeType?: VolumeType | undefined;
  iops?: number | undefined;
  throughput?: number | undefined;
  multiAttachEnabled?: boolean | undefined;
  encrypted?: boolean | undefined;
  kmsKeyId?: string | undefined;
}

/** What a create from a snapshot takes from it. */
export interface SnapshotSource {
  volumeSize: number;
  encrypted: boolean;
  kmsKeyId?: string | undefined;
}

export interface ResolvedVolume extends VolumePerformance {
  multiAttachEnabled: boolean;
  encrypted: boolean;
  /** The key as the caller named it (an id or an alias), or the snapshot's; resolved by the keys service. */
  kmsKeyId?: string;
}

/**
 * A create's volume: dependencies first (MissingParameter, InvalidParameterDependency), then the
 * limits (InvalidParameterValue). From a snapshot, the size defaults to the snapshot's and may not
 * be less, and encryption is carried: the snapshot's key unless the request names another.
 */
export function resolveVolumeCreate(request: VolumeCreateRequest, snapshot?: SnapshotSource): ResolvedVolume {
  if (request.size === undefined && !snapshot) throw new BadRequest('MissingParameter', 'The request must name a size or a snapshotId.');
  const volumeType = request.volumeType ?? DEFAULT_VOLUME_TYPE;
  const limits = VOLUME_LIMITS[volumeType];
  assertTypeTakes(volumeType, request);
  if (limits.iops && volumeType !== 'gp3' && request.iops === undefined) throw dependency(`A ${volumeType} volume needs iops.`);
  if (request.multiAttachEnabled && !limits.multiAttach) throw dependency(`Multi-Attach is for io1 and io2 volumes, not ${volumeType}.`);
  if (request.kmsKeyId !== undefined && request.encrypted !== true) throw dependency('A kmsKeyId needs encrypted: true.');

  const size = request.size ?? (snapshot as SnapshotSource).volumeSize;
  if (snapshot && size < snapshot.volumeSize) throw invalid(`The snapshot is ${snapshot.volumeSize} GiB; a volume from it takes at least that, not ${size}.`);
  const performance = withinLimits({
    volumeType,
    size,
    ...(limits.iops ? { iops: request.iops ?? DEFAULT_IOPS } : {}),
    ...(limits.throughput ? { throughput: request.throughput ?? DEFAULT_GP3_THROUGHPUT } : {}),
  });
  const encrypted = request.encrypted === true || snapshot?.encrypted === true;
  const kmsKeyId = request.kmsKeyId ?? (snapshot?.encrypted ? snapshot.kmsKeyId : undefined);
  return { ...performance, multiAttachEnabled: request.multiAttachEnabled === true, encrypted, ...(kmsKeyId !== undefined ? { kmsKeyId } : {}) };
}

export interface ModificationRequest {
  size?: number | undefined;
  volumeType?: VolumeType | undefined;
  iops?: number | undefined;
  throughput?: number | undefined;
}

/**
 * A modification's target. The type and size may only grow into what the limits allow; a new gp3,
 * io1 or io2 type without iops takes 3,000, a new gp3 without throughput 125, and an unchanged type
 * keeps what it has. Refused (InvalidParameterValue): a shrink, no change at all, a magnetic
 * (`standard`) volume on either side, and st1 or sc1 for a root volume, which cannot boot from them.
 */
export function resolveModification(current: VolumePerformance & { root: boolean }, request: ModificationRequest): VolumePerformance {
  const volumeType = request.volumeType ?? current.volumeType;
  if (current.volumeType === 'standard' || volumeType === 'standard') throw invalid('A magnetic (standard) volume cannot be modified, nor a volume made one.');
  if (current.root && (volumeType === 'st1' || volumeType === 'sc1')) throw invalid(`A root volume cannot be ${volumeType}.`);
  assertTypeTakes(volumeType, request);
  const size = request.size ?? current.size;
  if (size < current.size) throw invalid(`A volume only grows: it is ${current.size} GiB, not ${size}.`);
  const typeChanged = volumeType !== current.volumeType;
  const limits = VOLUME_LIMITS[volumeType];
  const target = withinLimits({
    volumeType,
    size,
    ...(limits.iops ? { iops: request.iops ?? (typeChanged ? DEFAULT_IOPS : (current.iops ?? DEFAULT_IOPS)) } : {}),
    ...(limits.throughput ? { throughput: request.throughput ?? (typeChanged ? DEFAULT_GP3_THROUGHPUT : (current.throughput ?? DEFAULT_GP3_THROUGHPUT)) } : {}),
  });
  const unchanged = target.volumeType === current.volumeType && target.size === current.size && target.iops === current.iops && target.throughput === current.throughput;
  if (unchanged) throw invalid('The modification changes nothing.');
  return target;
}

export const MODIFICATION_STATES = ['modifying', 'optimizing', 'completed', 'failed'] as const;
export type ModificationState = (typeof MODIFICATION_STATES)[number];
/** Modifications a volume may start in any rolling 24 hours (AWS since January 2026; one per 6 h before). */
export const MODIFICATIONS_PER_DAY = 4;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether a volume may start a modification now, given the ones it started (any order). One at a
 * time: while one is `modifying` or `optimizing`, 409 IncorrectModificationState (a failed one may be
 * retried, as EBS allows). A fifth within 24 h: 429 VolumeModificationRateExceeded, with Retry-After
 * the seconds until the oldest of them leaves the window.
 */
export function assertCanModify(started: readonly { startedAt: string; state: ModificationState }[], now: Date): void {
  if (started.some((m) => m.state === 'modifying' || m.state === 'optimizing')) {
    throw new Conflict('IncorrectModificationState', 'The volume is being modified; the next modification waits for it to complete.');
  }
  const since = now.getTime() - DAY_MS;
  const recent = started.map((m) => Date.parse(m.startedAt)).filter((at) => at > since).sort((a, b) => a - b);
  if (recent.length >= MODIFICATIONS_PER_DAY) {
    const retryAfter = Math.max(1, Math.ceil(((recent[recent.length - MODIFICATIONS_PER_DAY] as number) + DAY_MS - now.getTime()) / 1000));
    throw new ApiError(
      429,
      'VolumeModificationRateExceeded',
      `A volume takes at most ${MODIFICATIONS_PER_DAY} modifications in 24 hours; the next may start in ${retryAfter} s.`,
      undefined,
      { 'Retry-After': String(retryAfter) },
    );
  }
}

/** The device a root volume takes. */
export const ROOT_DEVICE = '/dev/xvda';
const DATA_DEVICE = /^\/dev\/(sd|xvd)[b-z]$/;

export const VOLUME_STATUSES = ['creating', 'available', 'in-use', 'deleting', 'deleted', 'error'] as const;
export type VolumeStatus = (typeof VOLUME_STATUSES)[number];

export interface AttachTarget {
  instanceState: string;
  availabilityZone: string;
  /** Devices of the instance already taken (its root's included). */
  devicesInUse: ReadonlySet<string>;
}

export interface AttachableVolume {
  status: VolumeStatus;
  availabilityZone: string;
  multiAttachEnabled: boolean;
  /** Instances the volume is attached to now. */
  attachedTo: readonly string[];
}

/**
 * Whether a volume may be attached to an instance at a device: the instance `running` or `stopped`
 * (409 IncorrectInstanceState), in the volume's zone (400 InvalidVolume.ZoneMismatch); the volume
 * `available`, or `in-use` with Multi-Attach below 16 instances (409 VolumeInUse; any other state
 * 409 IncorrectState); the device `/dev/sd[b-z]` or `/dev/xvd[b-z]` and free (400 InvalidParameterValue).
 */
export function assertAttachable(volume: AttachableVolume, instanceId: string, instance: AttachTarget, device: string): void {
  if (instance.instanceState !== 'running' && instance.instanceState !== 'stopped') {
    throw new Conflict('IncorrectInstanceState', `The instance is ${instance.instanceState}; a volume attaches to a running or stopped one.`);
  }
  if (instance.availabilityZone !== volume.availabilityZone) {
    throw new BadRequest('InvalidVolume.ZoneMismatch', `The volume is in ${volume.availabilityZone} and the instance in ${instance.availabilityZone}.`);
  }
  if (volume.status === 'in-use') {
    if (!volume.multiAttachEnabled || volume.attachedTo.includes(instanceId)) throw new Conflict('VolumeInUse', 'The volume is attached already.');
    if (volume.attachedTo.length >= MAX_MULTI_ATTACH) throw new Conflict('VolumeInUse', `A Multi-Attach volume is attached to at most ${MAX_MULTI_ATTACH} instances.`);
  } else if (volume.status !== 'available') {
    throw new Conflict('IncorrectState', `The volume is ${volume.status}.`);
  }
  if (!DATA_DEVICE.test(device)) throw invalid(`The device ${device} is not /dev/sd[b-z] or /dev/xvd[b-z].`);
  if (instance.devicesInUse.has(device)) throw invalid(`The instance uses ${device} already.`);
}

/** The levels a volume's meters bill (dimension: its type); every level 0 for a volume that bills nothing of it. */
export interface VolumeLevels {
  /** `volume.storage`: GiB. */
  storage: number;
  /** `volume.iops`: gp3's IOPS above its 3,000 baseline; io1's and io2's, all. */
  iops: number;
  /** `volume.throughput`: gp3's MiB/s above its 125 baseline. */
  throughput: number;
}

export function volumeLevels(volume: VolumePerformance): VolumeLevels {
  const iops = volume.iops ?? 0;
  switch (volume.volumeType) {
    case 'gp3':
      return { storage: volume.size, iops: Math.max(0, iops - DEFAULT_IOPS), throughput: Math.max(0, (volume.throughput ?? 0) - DEFAULT_GP3_THROUGHPUT) };
    case 'io1':
    case 'io2':
      return { storage: volume.size, iops, throughput: 0 };
    default:
      return { storage: volume.size, iops: 0, throughput: 0 };
  }
}

export interface DetachableVolume {
  status: VolumeStatus;
  /** The attachments, with their state (`detaching` while one goes). */
  attachments: readonly { instanceId: string; device: string; state: 'attaching' | 'attached' | 'detaching' }[];
}

/**
 * What a detach does: `detach` the attachment (one instance named, or the only one), `noop` when it
 * is detaching already (200). Refused: no attachment to that instance (409 InvalidAttachment.NotFound),
 * and a root volume of an instance that is not stopped (409 IncorrectInstanceState).
 */
export function detachment(volume: DetachableVolume, request: { instanceId?: string | undefined }, instanceState: (instanceId: string) => string): { instanceId: string; action: 'detach' | 'noop' } {
  const named = request.instanceId;
  const attachment = named === undefined ? (volume.attachments.length === 1 ? volume.attachments[0] : undefined) : volume.attachments.find((a) => a.instanceId === named);
  if (!attachment) throw new Conflict('InvalidAttachment.NotFound', named ? `The volume is not attached to ${named}.` : 'Name the instance to detach the volume from.');
  if (attachment.state === 'detaching') return { instanceId: attachment.instanceId, action: 'noop' };
  if (attachment.device === ROOT_DEVICE && instanceState(attachment.instanceId) !== 'stopped') {
    throw new Conflict('IncorrectInstanceState', 'A root volume detaches from a stopped instance only.');
  }
  return { instanceId: attachment.instanceId, action: 'detach' };
}

/** What a delete does: `delete` an available or failed volume, `noop` one being deleted (200); refused while attached or creating. */
export function deletion(status: VolumeStatus): 'delete' | 'noop' {
  if (status === 'deleting' || status === 'deleted') return 'noop';
  if (status === 'in-use') throw new Conflict('VolumeInUse', 'The volume is attached; detach it first.');
  if (status === 'creating') throw new Conflict('IncorrectState', 'The volume is being created.');
  return 'delete';
}

/** A snapshot is taken of an available or attached volume only. */
export function assertSnapshottable(status: VolumeStatus): void {
  if (status !== 'available' && status !== 'in-use') throw new Conflict('IncorrectState', `The volume is ${status}.`);
}
