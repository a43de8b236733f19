/** Tenant keys: states and what each allows, alias names, rotation settings and due dates, the on-demand limit, meter levels. */
import {
  DEFAULT_ROTATION_PERIOD_DAYS,
  afterAutomaticRotation,
  assertAliasName,
  assertKeyUsable,
  assertKeyUsableForStorage,
  assertOnDemandRotation,
  cancelledDeletion,
  isAliasReference,
  keyLevels,
  rotationDue,
  rotationSettings,
  scheduledDeletion,
  toggledState,
  type KeyState,
} from '../../../functions/storage/key-rules';
import { errorOf } from '../support/error-of';

const INVALID_STATE = { status: 409, code: 'KMSInvalidStateException' };
const now = new Date('2026-12-04T12:00:00.000Z');
const daysLater = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

describe('key states', () => {
  it.each([
    ['Enabled', true, 'Enabled'],
    ['Enabled', false, 'Disabled'],
    ['Disabled', true, 'Enabled'],
    ['Disabled', false, 'Disabled'],
  ] as const)('from %s, enable=%s gives %s (a no-op when already so)', (state, enable, next) => {
    // Act
    const result = toggledState(state, enable);

    // Assess
    expect(result).toBe(next);
  });

  it('refuses to enable or disable a key pending deletion', () => {
    // Act
    const verdicts = [true, false].map((enable) => errorOf(() => toggledState('PendingDeletion', enable)));

    // Assess
    expect(verdicts).toEqual([INVALID_STATE, INVALID_STATE]);
  });

  it.each([
    [7, true],
    [6, false],
    [30, true],
    [31, false],
  ])('schedules deletion in %i days: accepted %s', (days, accepted) => {
    // Act
    const error = errorOf(() => scheduledDeletion('Enabled', days, now));

    // Assess
    expect(error).toEqual(accepted ? undefined : { status: 400, code: 'ValidationException' });
  });

  it('sets the deletion date a window after now, from Enabled or Disabled, and not twice', () => {
    // Act
    const fromDisabled = scheduledDeletion('Disabled', 30, now);
    const twice = errorOf(() => scheduledDeletion('PendingDeletion', 30, now));

    // Assess
    expect(fromDisabled).toEqual({ keyState: 'PendingDeletion', deletionDate: daysLater(30) });
    expect(twice).toEqual(INVALID_STATE);
  });

  it('cancels a deletion back to Disabled, and refuses to cancel what is not pending', () => {
    // Act
    const cancelled = cancelledDeletion('PendingDeletion');
    const verdicts = (['Enabled', 'Disabled'] as const).map((state) => errorOf(() => cancelledDeletion(state)));

    // Assess
    expect(cancelled).toBe('Disabled');
    expect(verdicts).toEqual([INVALID_STATE, INVALID_STATE]);
  });

  it.each([
    ['Enabled', undefined, undefined],
    ['Disabled', { status: 409, code: 'DisabledException' }, { status: 400, code: 'InvalidKMSKey.InvalidState' }],
    ['PendingDeletion', INVALID_STATE, { status: 400, code: 'InvalidKMSKey.InvalidState' }],
  ] as const)('a %s key: through the keys API %o, for a volume %o', (state, api, storage) => {
    // Act
    const verdicts = [errorOf(() => assertKeyUsable(state as KeyState)), errorOf(() => assertKeyUsableForStorage(state as KeyState))];

    // Assess
    expect(verdicts).toEqual([api, storage]);
  });
});

describe('alias names', () => {
  it.each([
    ['alias/data', true],
    ['alias/team/db-keys_2', true],
    [`alias/${'a'.repeat(250)}`, true],
    [`alias/${'a'.repeat(251)}`, false],
    ['alias/', false],
    ['data', false],
    ['alias/with space', false],
    ['alias/dots.not', false],
    ['alias/aws/ebs', false],
    ['alias/aws/anything', false],
    ['alias/awsish', true],
    ['ALIAS/data', false],
  ])('%s: accepted %s', (name, accepted) => {
    // Act
    const error = errorOf(() => assertAliasName(name));

    // Assess
    expect(error).toEqual(accepted ? undefined : { status: 400, code: 'InvalidAliasNameException' });
  });

  it('tells an alias reference from a key id', () => {
    // Act
    const verdicts = ['alias/data', 'key-01abc'].map(isAliasReference);

    // Assess
    expect(verdicts).toEqual([true, false]);
  });
});

describe('rotation', () => {
  it.each([
    [90, true],
    [89, false],
    [2560, true],
    [2561, false],
  ])('a period of %i days: accepted %s', (days, accepted) => {
    // Act
    const error = errorOf(() => rotationSettings(true, days, now));

    // Assess
    expect(error).toEqual(accepted ? undefined : { status: 400, code: 'ValidationException' });
  });

  it('dates the next rotation one period after its anchor, and none while off', () => {
    // Act
    const on = rotationSettings(true, DEFAULT_ROTATION_PERIOD_DAYS, now);
    const off = rotationSettings(false, 180, now);

    // Assess
    expect(on).toEqual({ keyRotationEnabled: true, rotationPeriodInDays: 365, nextRotationDate: daysLater(365) });
    expect(off).toEqual({ keyRotationEnabled: false, rotationPeriodInDays: 180 });
  });

  it('is due at its date for an Enabled key with rotation on, not before, not while disabled or off', () => {
    // Prepare
    const rotation = rotationSettings(true, 90, now);
    const at = new Date(rotation.nextRotationDate as string);
    const before = new Date(at.getTime() - 1);

    // Act
    const verdicts = [
      rotationDue({ keyState: 'Enabled', rotation }, at),
      rotationDue({ keyState: 'Enabled', rotation }, before),
      rotationDue({ keyState: 'Disabled', rotation }, at),
      rotationDue({ keyState: 'PendingDeletion', rotation }, at),
      rotationDue({ keyState: 'Enabled', rotation: rotationSettings(false, 90, now) }, at),
    ];

    // Assess
    expect(verdicts).toEqual([true, false, false, false, false]);
  });

  it('dates the next automatic rotation a period after the one just made', () => {
    // Prepare
    const rotation = rotationSettings(true, 90, now);
    const rotatedAt = new Date(rotation.nextRotationDate as string);

    // Act
    const next = afterAutomaticRotation(rotation, rotatedAt);

    // Assess
    expect(next.nextRotationDate).toBe(daysLater(180));
  });

  it('allows 25 on-demand rotations of a usable key, not a 26th', () => {
    // Act
    const verdicts = [
      errorOf(() => assertOnDemandRotation('Enabled', 24)),
      errorOf(() => assertOnDemandRotation('Enabled', 25)),
      errorOf(() => assertOnDemandRotation('Disabled', 0)),
    ];

    // Assess
    expect(verdicts).toEqual([undefined, { status: 409, code: 'LimitExceededException' }, { status: 409, code: 'DisabledException' }]);
  });
});

describe('keyLevels', () => {
  it.each([
    ['Enabled', 0, { time: 1, rotations: 0 }],
    ['Disabled', 1, { time: 1, rotations: 1 }],
    ['Enabled', 5, { time: 1, rotations: 2 }],
    ['PendingDeletion', 5, { time: 0, rotations: 0 }],
  ] as const)('a %s key rotated %i times bills %o', (keyState, rotations, levels) => {
    // Act
    const measured = keyLevels({ keyState, rotations });

    // Assess
    expect(measured).toEqual(levels);
  });
});
