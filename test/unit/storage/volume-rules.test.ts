/** The pure rules of volumes: every limit ±1, the dependencies, the computed fields, modifications and their window, attaching, meter levels. */
import type { ApiError } from '../../../functions/kit/errors';
import {
  assertAttachable,
  assertCanModify,
  assertSnapshottable,
  deletion,
  detachment,
  gp2Iops,
  resolveModification,
  resolveVolumeCreate,
  volumeLevels,
  type AttachableVolume,
  type AttachTarget,
  type DetachableVolume,
  type ModificationState,
  type VolumeCreateRequest,
  type VolumePerformance,
} from '../../../functions/storage/volume-rules';
import { errorOf } from '../support/error-of';

const INVALID = { status: 400, code: 'InvalidParameterValue' };
const DEPENDENCY = { status: 400, code: 'InvalidParameterDependency' };

describe('resolveVolumeCreate: sizes by type, at each limit and one past it', () => {
  const cases: [string, VolumeCreateRequest, boolean][] = [
    ['gp2 1 GiB', { volumeType: 'gp2', size: 1 }, true],
    ['gp2 0 GiB', { volumeType: 'gp2', size: 0 }, false],
    ['gp2 16,384 GiB', { volumeType: 'gp2', size: 16_384 }, true],
    ['gp2 16,385 GiB', { volumeType: 'gp2', size: 16_385 }, false],
    ['gp3 1 GiB', { volumeType: 'gp3', size: 1 }, true],
    ['gp3 65,536 GiB', { volumeType: 'gp3', size: 65_536 }, true],
    ['gp3 65,537 GiB', { volumeType: 'gp3', size: 65_537 }, false],
    ['io1 3 GiB', { volumeType: 'io1', size: 3, iops: 100 }, false],
    ['io1 4 GiB', { volumeType: 'io1', size: 4, iops: 100 }, true],
    ['io1 16,384 GiB', { volumeType: 'io1', size: 16_384, iops: 100 }, true],
    ['io1 16,385 GiB', { volumeType: 'io1', size: 16_385, iops: 100 }, false],
    ['io2 3 GiB', { volumeType: 'io2', size: 3, iops: 100 }, false],
    ['io2 4 GiB', { volumeType: 'io2', size: 4, iops: 100 }, true],
    ['io2 65,536 GiB', { volumeType: 'io2', size: 65_536, iops: 100 }, true],
    ['io2 65,537 GiB', { volumeType: 'io2', size: 65_537, iops: 100 }, false],
    ['st1 124 GiB', { volumeType: 'st1', size: 124 }, false],
    ['st1 125 GiB', { volumeType: 'st1', size: 125 }, true],
    ['st1 16,384 GiB', { volumeType: 'st1', size: 16_384 }, true],
    ['st1 16,385 GiB', { volumeType: 'st1', size: 16_385 }, false],
    ['sc1 124 GiB', { volumeType: 'sc1', size: 124 }, false],
    ['sc1 125 GiB', { volumeType: 'sc1', size: 125 }, true],
    ['sc1 16,385 GiB', { volumeType: 'sc1', size: 16_385 }, false],
    ['standard 1 GiB', { volumeType: 'standard', size: 1 }, true],
    ['standard 1,024 GiB', { volumeType: 'standard', size: 1_024 }, true],
    ['standard 1,025 GiB', { volumeType: 'standard', size: 1_025 }, false],
    ['a fractional size', { volumeType: 'gp3', size: 1.5 }, false],
  ];

  it.each(cases)('%s', (_name, request, accepted) => {
    // Act
    const error = errorOf(() => resolveVolumeCreate(request));

    // Assess
    expect(error).toEqual(accepted ? undefined : INVALID);
  });
});

describe('resolveVolumeCreate: IOPS and throughput, at each limit and one past it', () => {
  const cases: [string, VolumeCreateRequest, boolean][] = [
    ['gp3 2,999 IOPS', { volumeType: 'gp3', size: 100, iops: 2_999 }, false],
    ['gp3 3,000 IOPS on 1 GiB (the baseline, whatever the size)', { volumeType: 'gp3', size: 1, iops: 3_000 }, true],
    ['gp3 500 IOPS per GiB', { volumeType: 'gp3', size: 100, iops: 50_000 }, true],
    ['gp3 one IOPS over 500 per GiB', { volumeType: 'gp3', size: 100, iops: 50_001 }, false],
    ['gp3 80,000 IOPS', { volumeType: 'gp3', size: 160, iops: 80_000 }, true],
    ['gp3 80,001 IOPS', { volumeType: 'gp3', size: 1_000, iops: 80_001 }, false],
    ['gp3 124 MiB/s', { volumeType: 'gp3', size: 100, throughput: 124 }, false],
    ['gp3 125 MiB/s', { volumeType: 'gp3', size: 100, throughput: 125 }, true],
    ['gp3 0.25 MiB/s per IOPS', { volumeType: 'gp3', size: 100, iops: 4_000, throughput: 1_000 }, true],
    ['gp3 one MiB/s over 0.25 per IOPS', { volumeType: 'gp3', size: 100, iops: 4_000, throughput: 1_001 }, false],
    ['gp3 2,000 MiB/s', { volumeType: 'gp3', size: 100, iops: 8_000, throughput: 2_000 }, true],
    ['gp3 2,001 MiB/s', { volumeType: 'gp3', size: 100, iops: 9_000, throughput: 2_001 }, false],
    ['io1 99 IOPS', { volumeType: 'io1', size: 100, iops: 99 }, false],
    ['io1 100 IOPS', { volumeType: 'io1', size: 100, iops: 100 }, true],
    ['io1 50 IOPS per GiB', { volumeType: 'io1', size: 100, iops: 5_000 }, true],
    ['io1 one over 50 per GiB', { volumeType: 'io1', size: 100, iops: 5_001 }, false],
    ['io1 64,000 IOPS', { volumeType: 'io1', size: 1_280, iops: 64_000 }, true],
    ['io1 64,001 IOPS', { volumeType: 'io1', size: 10_000, iops: 64_001 }, false],
    ['io2 1,000 IOPS per GiB', { volumeType: 'io2', size: 10, iops: 10_000 }, true],
    ['io2 one over 1,000 per GiB', { volumeType: 'io2', size: 10, iops: 10_001 }, false],
    ['io2 256,000 IOPS', { volumeType: 'io2', size: 256, iops: 256_000 }, true],
    ['io2 256,001 IOPS', { volumeType: 'io2', size: 1_000, iops: 256_001 }, false],
  ];

  it.each(cases)('%s', (_name, request, accepted) => {
    // Act
    const error = errorOf(() => resolveVolumeCreate(request));

    // Assess
    expect(error).toEqual(accepted ? undefined : INVALID);
  });
});

describe('resolveVolumeCreate: parameters that depend on one another', () => {
  const cases: [string, VolumeCreateRequest, { status: number; code: string }][] = [
    ['neither size nor snapshot', { volumeType: 'gp3' }, { status: 400, code: 'MissingParameter' }],
    ['iops on gp2', { volumeType: 'gp2', size: 10, iops: 100 }, DEPENDENCY],
    ['iops on st1', { volumeType: 'st1', size: 500, iops: 100 }, DEPENDENCY],
    ['iops on sc1', { volumeType: 'sc1', size: 500, iops: 100 }, DEPENDENCY],
    ['iops on standard', { volumeType: 'standard', size: 10, iops: 100 }, DEPENDENCY],
    ['iops on the default type (gp2)', { size: 10, iops: 3_000 }, DEPENDENCY],
    ['no iops on io1', { volumeType: 'io1', size: 10 }, DEPENDENCY],
    ['no iops on io2', { volumeType: 'io2', size: 10 }, DEPENDENCY],
    ['throughput on io1', { volumeType: 'io1', size: 10, iops: 100, throughput: 125 }, DEPENDENCY],
    ['throughput on gp2', { volumeType: 'gp2', size: 10, throughput: 125 }, DEPENDENCY],
    ['Multi-Attach on gp3', { volumeType: 'gp3', size: 10, multiAttachEnabled: true }, DEPENDENCY],
    ['Multi-Attach on gp2', { volumeType: 'gp2', size: 10, multiAttachEnabled: true }, DEPENDENCY],
    ['a kmsKeyId without encrypted', { size: 10, kmsKeyId: 'key-1' }, DEPENDENCY],
    ['a kmsKeyId with encrypted: false', { size: 10, encrypted: false, kmsKeyId: 'key-1' }, DEPENDENCY],
  ];

  it.each(cases)('%s', (_name, request, expected) => {
    // Act
    const error = errorOf(() => resolveVolumeCreate(request));

    // Assess
    expect(error).toEqual(expected);
  });

  it('takes Multi-Attach on io1 and io2, and a kmsKeyId with encrypted', () => {
    // Act
    const io1 = resolveVolumeCreate({ volumeType: 'io1', size: 10, iops: 500, multiAttachEnabled: true });
    const io2 = resolveVolumeCreate({ volumeType: 'io2', size: 10, iops: 500, multiAttachEnabled: true });
    const keyed = resolveVolumeCreate({ size: 10, encrypted: true, kmsKeyId: 'alias/data' });

    // Assess
    expect([io1.multiAttachEnabled, io2.multiAttachEnabled]).toEqual([true, true]);
    expect(keyed).toMatchObject({ encrypted: true, kmsKeyId: 'alias/data', multiAttachEnabled: false });
  });
});

describe('resolveVolumeCreate: computed fields', () => {
  it.each([
    [1, 100],
    [33, 100],
    [34, 102],
    [1_000, 3_000],
    [5_333, 15_999],
    [5_334, 16_000],
    [16_384, 16_000],
  ])('a gp2 volume of %i GiB has %i IOPS (3 per GiB, 100 to 16,000)', (size, iops) => {
    // Act
    const volume = resolveVolumeCreate({ size });

    // Assess
    expect(volume).toEqual({ volumeType: 'gp2', size, iops, multiAttachEnabled: false, encrypted: false });
    expect(gp2Iops(size)).toBe(iops);
  });

  it('gives gp3 3,000 IOPS and 125 MiB/s unless told, and st1, sc1 and standard no IOPS', () => {
    // Act
    const gp3 = resolveVolumeCreate({ volumeType: 'gp3', size: 8 });
    const others = (['st1', 'sc1', 'standard'] as const).map((volumeType) => resolveVolumeCreate({ volumeType, size: volumeType === 'standard' ? 8 : 500 }));

    // Assess
    expect(gp3).toEqual({ volumeType: 'gp3', size: 8, iops: 3_000, throughput: 125, multiAttachEnabled: false, encrypted: false });
    expect(others.map((v) => [v.iops, v.throughput])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });
});

describe('resolveVolumeCreate: from a snapshot', () => {
  const snapshot = { volumeSize: 50, encrypted: true, kmsKeyId: 'key-snap' };

  it("takes the snapshot's size, its encryption and its key by default", () => {
    // Act
    const volume = resolveVolumeCreate({ volumeType: 'gp3' }, snapshot);

    // Assess
    expect(volume).toMatchObject({ size: 50, encrypted: true, kmsKeyId: 'key-snap' });
  });

  it('grows past the snapshot, never below it', () => {
    // Act
    const larger = resolveVolumeCreate({ size: 51 }, snapshot);
    const smaller = errorOf(() => resolveVolumeCreate({ size: 49 }, snapshot));

    // Assess
    expect(larger.size).toBe(51);
    expect(smaller).toEqual(INVALID);
  });

  it('re-encrypts under a key the request names, and keeps an encrypted snapshot encrypted even when asked not to', () => {
    // Act
    const rekeyed = resolveVolumeCreate({ encrypted: true, kmsKeyId: 'key-other' }, snapshot);
    const carried = resolveVolumeCreate({ encrypted: false }, snapshot);
    const plain = resolveVolumeCreate({}, { volumeSize: 8, encrypted: false });

    // Assess
    expect(rekeyed).toMatchObject({ encrypted: true, kmsKeyId: 'key-other' });
    expect(carried).toMatchObject({ encrypted: true, kmsKeyId: 'key-snap' });
    expect(plain).toEqual({ volumeType: 'gp2', size: 8, iops: 100, multiAttachEnabled: false, encrypted: false });
  });
});

describe('resolveModification', () => {
  const gp2: VolumePerformance & { root: boolean } = { volumeType: 'gp2', size: 100, iops: 300, root: false };
  const gp3: VolumePerformance & { root: boolean } = { volumeType: 'gp3', size: 100, iops: 6_000, throughput: 500, root: false };

  it('grows a volume and recomputes gp2 IOPS', () => {
    // Act
    const target = resolveModification(gp2, { size: 200 });

    // Assess
    expect(target).toEqual({ volumeType: 'gp2', size: 200, iops: 600 });
  });

  it('gives a new gp3, io1 or io2 type 3,000 IOPS (and gp3 125 MiB/s) unless told', () => {
    // Act
    const toGp3 = resolveModification(gp2, { volumeType: 'gp3' });
    const toIo1 = resolveModification(gp2, { volumeType: 'io1' });
    const toIo2 = resolveModification(gp2, { volumeType: 'io2', iops: 20_000 });

    // Assess
    expect(toGp3).toEqual({ volumeType: 'gp3', size: 100, iops: 3_000, throughput: 125 });
    expect(toIo1).toEqual({ volumeType: 'io1', size: 100, iops: 3_000 });
    expect(toIo2).toEqual({ volumeType: 'io2', size: 100, iops: 20_000 });
  });

  it("keeps an unchanged type's IOPS and throughput", () => {
    // Act
    const target = resolveModification(gp3, { size: 150 });

    // Assess
    expect(target).toEqual({ volumeType: 'gp3', size: 150, iops: 6_000, throughput: 500 });
  });

  it.each([
    ['a shrink', gp2, { size: 99 }, INVALID],
    ['no change at all', gp3, { size: 100, iops: 6_000 }, INVALID],
    ['an empty request', gp3, {}, INVALID],
    ['a standard volume', { volumeType: 'standard', size: 10, root: false }, { size: 20 }, INVALID],
    ['to standard', gp2, { volumeType: 'standard' }, INVALID],
    ['a root volume to st1', { ...gp3, size: 500, root: true }, { volumeType: 'st1' }, INVALID],
    ['a root volume to sc1', { ...gp3, size: 500, root: true }, { volumeType: 'sc1' }, INVALID],
    ['a target past the limits (io1 at 3,000 IOPS on 10 GiB)', { ...gp2, size: 10, iops: 100 }, { volumeType: 'io1' }, INVALID],
    ['iops on gp2', gp2, { iops: 400 }, DEPENDENCY],
    ['throughput off gp3', gp3, { volumeType: 'io1', throughput: 200 }, DEPENDENCY],
  ] as const)('refuses %s', (_name, current, request, expected) => {
    // Act
    const error = errorOf(() => resolveModification(current as VolumePerformance & { root: boolean }, request));

    // Assess
    expect(error).toEqual(expected);
  });

  it('lets a data volume become st1 (it may, a root volume may not)', () => {
    // Act
    const target = resolveModification({ ...gp3, size: 500 }, { volumeType: 'st1' });

    // Assess
    expect(target).toEqual({ volumeType: 'st1', size: 500 });
  });
});

describe('assertCanModify', () => {
  const now = new Date('2026-12-04T12:00:00.000Z');
  const hoursAgo = (hours: number, state: ModificationState = 'completed') => ({ startedAt: new Date(now.getTime() - hours * 3_600_000).toISOString(), state });

  it('allows a fourth modification in 24 hours and refuses a fifth with Retry-After', () => {
    // Prepare
    const three = [hoursAgo(20), hoursAgo(10), hoursAgo(1)];
    const four = [hoursAgo(23), ...three];

    // Act
    const fourth = errorOf(() => assertCanModify(three, now));
    let fifth: ApiError | undefined;
    try {
      assertCanModify(four, now);
    } catch (error) {
      fifth = error as ApiError;
    }

    // Assess: the oldest of the four leaves the window in one hour.
    expect(fourth).toBeUndefined();
    expect([fifth?.status, fifth?.code, fifth?.headers]).toEqual([429, 'VolumeModificationRateExceeded', { 'Retry-After': '3600' }]);
  });

  it('counts only the last 24 hours', () => {
    // Act
    const error = errorOf(() => assertCanModify([hoursAgo(24), hoursAgo(30), hoursAgo(5), hoursAgo(2), hoursAgo(1)], now));

    // Assess
    expect(error).toBeUndefined();
  });

  it('refuses while one is modifying or optimizing, and lets a failed one be retried', () => {
    // Act
    const verdicts = (['modifying', 'optimizing', 'failed', 'completed'] as const).map((state) => errorOf(() => assertCanModify([hoursAgo(1, state)], now)));

    // Assess
    expect(verdicts).toEqual([{ status: 409, code: 'IncorrectModificationState' }, { status: 409, code: 'IncorrectModificationState' }, undefined, undefined]);
  });
});

describe('assertAttachable', () => {
  const volume: AttachableVolume = { status: 'available', availabilityZone: 'us-east-1a', multiAttachEnabled: false, attachedTo: [] };
  const instance: AttachTarget = { instanceState: 'running', availabilityZone: 'us-east-1a', devicesInUse: new Set(['/dev/xvda']) };
  const attached = (count: number) => Array.from({ length: count }, (_, i) => `i-${i}`);

  it.each([
    ['an available volume to a running instance', volume, instance, '/dev/sdf', undefined],
    ['to a stopped instance', volume, { ...instance, instanceState: 'stopped' }, '/dev/xvdb', undefined],
    ['to a pending instance', volume, { ...instance, instanceState: 'pending' }, '/dev/sdf', { status: 409, code: 'IncorrectInstanceState' }],
    ['to a terminated instance', volume, { ...instance, instanceState: 'terminated' }, '/dev/sdf', { status: 409, code: 'IncorrectInstanceState' }],
    ['to another zone', volume, { ...instance, availabilityZone: 'us-east-1b' }, '/dev/sdf', { status: 400, code: 'InvalidVolume.ZoneMismatch' }],
    ['an attached single-attach volume', { ...volume, status: 'in-use', attachedTo: ['i-9'] }, instance, '/dev/sdf', { status: 409, code: 'VolumeInUse' }],
    ['a Multi-Attach volume to its 16th instance', { ...volume, status: 'in-use', multiAttachEnabled: true, attachedTo: attached(15) }, instance, '/dev/sdf', undefined],
    ['a Multi-Attach volume to a 17th', { ...volume, status: 'in-use', multiAttachEnabled: true, attachedTo: attached(16) }, instance, '/dev/sdf', { status: 409, code: 'VolumeInUse' }],
    ['a Multi-Attach volume to an instance it is attached to', { ...volume, status: 'in-use', multiAttachEnabled: true, attachedTo: ['i-me'] }, instance, '/dev/sdf', { status: 409, code: 'VolumeInUse' }],
    ['a creating volume', { ...volume, status: 'creating' }, instance, '/dev/sdf', { status: 409, code: 'IncorrectState' }],
    ['a deleting volume', { ...volume, status: 'deleting' }, instance, '/dev/sdf', { status: 409, code: 'IncorrectState' }],
    ['at the root device', volume, instance, '/dev/xvda', INVALID],
    ['at /dev/sda', volume, instance, '/dev/sda', INVALID],
    ['at /dev/sdz', volume, instance, '/dev/sdz', undefined],
    ['at /dev/sdaa', volume, instance, '/dev/sdaa', INVALID],
    ['at a taken device', volume, { ...instance, devicesInUse: new Set(['/dev/xvda', '/dev/sdf']) }, '/dev/sdf', INVALID],
  ] as const)('%s', (_name, candidate, target, device, expected) => {
    // Act
    const error = errorOf(() => assertAttachable(candidate as AttachableVolume, 'i-me', target as AttachTarget, device));

    // Assess
    expect(error).toEqual(expected);
  });
});

describe('volumeLevels', () => {
  it.each([
    ['gp2', { volumeType: 'gp2', size: 100, iops: 300 }, { storage: 100, iops: 0, throughput: 0 }],
    ['gp3 at its baseline', { volumeType: 'gp3', size: 100, iops: 3_000, throughput: 125 }, { storage: 100, iops: 0, throughput: 0 }],
    ['gp3 above it', { volumeType: 'gp3', size: 100, iops: 4_500, throughput: 300 }, { storage: 100, iops: 1_500, throughput: 175 }],
    ['io1', { volumeType: 'io1', size: 100, iops: 2_000 }, { storage: 100, iops: 2_000, throughput: 0 }],
    ['io2', { volumeType: 'io2', size: 10, iops: 10_000 }, { storage: 10, iops: 10_000, throughput: 0 }],
    ['st1', { volumeType: 'st1', size: 500 }, { storage: 500, iops: 0, throughput: 0 }],
    ['standard', { volumeType: 'standard', size: 8 }, { storage: 8, iops: 0, throughput: 0 }],
  ] as const)('%s', (_name, volume, levels) => {
    // Act
    const measured = volumeLevels(volume as VolumePerformance);

    // Assess
    expect(measured).toEqual(levels);
  });
});

describe('detachment', () => {
  const stateOf = (states: Record<string, string>) => (id: string) => states[id] ?? 'running';
  const data = { status: 'in-use' as const, attachments: [{ instanceId: 'i-1', device: '/dev/sdf', state: 'attached' as const }] };
  const root = { status: 'in-use' as const, attachments: [{ instanceId: 'i-1', device: '/dev/xvda', state: 'attached' as const }] };
  const multi = {
    status: 'in-use' as const,
    attachments: [
      { instanceId: 'i-1', device: '/dev/sdf', state: 'attached' as const },
      { instanceId: 'i-2', device: '/dev/sdf', state: 'attached' as const },
    ],
  };

  it.each([
    ['a data volume from its only instance, unnamed', data, {}, {}, { instanceId: 'i-1', action: 'detach' }],
    ['a data volume from a running instance', data, { instanceId: 'i-1' }, {}, { instanceId: 'i-1', action: 'detach' }],
    ['a root volume from a stopped instance', root, { instanceId: 'i-1' }, { 'i-1': 'stopped' }, { instanceId: 'i-1', action: 'detach' }],
    ['one instance of a Multi-Attach volume', multi, { instanceId: 'i-2' }, {}, { instanceId: 'i-2', action: 'detach' }],
    ['a detaching attachment again', { ...data, attachments: [{ ...data.attachments[0], state: 'detaching' as const }] }, {}, {}, { instanceId: 'i-1', action: 'noop' }],
  ] as const)('%s', (_name, volume, request, states, expected) => {
    // Act
    const result = detachment(volume as DetachableVolume, request, stateOf(states));

    // Assess
    expect(result).toEqual(expected);
  });

  it.each([
    ['from an instance it is not attached to', data, { instanceId: 'i-9' }, {}, { status: 409, code: 'InvalidAttachment.NotFound' }],
    ['an available volume', { status: 'available' as const, attachments: [] }, {}, {}, { status: 409, code: 'InvalidAttachment.NotFound' }],
    ['a Multi-Attach volume without naming the instance', multi, {}, {}, { status: 409, code: 'InvalidAttachment.NotFound' }],
    ['a root volume from a running instance', root, {}, { 'i-1': 'running' }, { status: 409, code: 'IncorrectInstanceState' }],
  ] as const)('refuses %s', (_name, volume, request, states, expected) => {
    // Act
    const error = errorOf(() => detachment(volume as DetachableVolume, request, stateOf(states)));

    // Assess
    expect(error).toEqual(expected);
  });
});

describe('deletion and snapshots by volume status', () => {
  it.each([
    ['available', 'delete', undefined],
    ['error', 'delete', { status: 409, code: 'IncorrectState' }],
    ['deleting', 'noop', { status: 409, code: 'IncorrectState' }],
    ['deleted', 'noop', { status: 409, code: 'IncorrectState' }],
    ['in-use', { status: 409, code: 'VolumeInUse' }, undefined],
    ['creating', { status: 409, code: 'IncorrectState' }, { status: 409, code: 'IncorrectState' }],
  ] as const)('a %s volume: delete %o, snapshot %o', (status, deleteVerdict, snapshotVerdict) => {
    // Act
    const deleted = errorOf(() => deletion(status)) ?? deletion(status);
    const snapshot = errorOf(() => assertSnapshottable(status));

    // Assess
    expect([deleted, snapshot]).toEqual([deleteVerdict, snapshotVerdict]);
  });
});
