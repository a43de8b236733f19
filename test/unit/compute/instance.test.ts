/** The instance's pure rules: the state graph and each action's decision, running time, templates, public addresses. */
import fc from 'fast-check';
import { decide, INSTANCE_STATES, isLegalTransition, runningMillisAfterLeaving, runningSecondsAt, withTemplate, type Action, type InstanceState } from '../../../functions/compute/instance';
import { randomPoolAddress } from '../../../functions/compute/public-addresses';
import { cidrHasAddress } from '../../../functions/networking/cidr';

const instance = (status: InstanceState, extra: Partial<{ disableApiStop: boolean; disableApiTermination: boolean; stateReason: { code: string; message: string } }> = {}) => ({
  id: 'i-1',
  status,
  disableApiStop: false,
  disableApiTermination: false,
  ...extra,
});

describe('the state graph', () => {
  it('has exactly the transitions of API.md', () => {
    const legal = INSTANCE_STATES.flatMap((from) => INSTANCE_STATES.filter((to) => isLegalTransition(from, to)).map((to) => `${from}→${to}`));
    expect(legal.sort()).toEqual(
      ['pending→running', 'running→stopping', 'stopping→stopped', 'stopped→pending', 'running→shutting-down', 'stopped→shutting-down', 'shutting-down→terminated', 'pending→failed'].sort(),
    );
  });

  // Action × state → what API.md says: T = 202 transition (to), N = 200 no-op, X = 409 IncorrectInstanceState.
  const table: Record<Action, Record<InstanceState, string>> = {
    start: { pending: 'N', running: 'N', stopping: 'X', stopped: 'T:pending', 'shutting-down': 'X', terminated: 'X', failed: 'X' },
    stop: { pending: 'X', running: 'T:stopping', stopping: 'N', stopped: 'N', 'shutting-down': 'X', terminated: 'X', failed: 'X' },
    reboot: { pending: 'X', running: 'T:running', stopping: 'X', stopped: 'X', 'shutting-down': 'X', terminated: 'X', failed: 'X' },
    resize: { pending: 'X', running: 'X', stopping: 'X', stopped: 'T:stopped', 'shutting-down': 'X', terminated: 'X', failed: 'X' },
    terminate: { pending: 'X', running: 'T:shutting-down', stopping: 'X', stopped: 'T:shutting-down', 'shutting-down': 'N', terminated: 'N', failed: 'X' },
  };
  const cases = (Object.keys(table) as Action[]).flatMap((action) => INSTANCE_STATES.map((state) => [action, state, table[action][state]] as const));

  it.each(cases)('%s on %s → %s', (action, state, expected) => {
    const decision = decide(action, instance(state));
    const got = decision.kind === 'transition' ? `T:${decision.to}` : decision.kind === 'noop' ? 'N' : decision.kind === 'refuse' ? 'X' : 'R';
    expect(got).toBe(expected);
    if (decision.kind === 'refuse') expect(decision.code).toBe('IncorrectInstanceState');
    if (decision.kind === 'transition' && decision.to !== state) expect(isLegalTransition(state, decision.to)).toBe(true);
  });

  it('refuses stop and terminate with OperationNotPermitted while protected, but lets no-ops through', () => {
    expect(decide('stop', instance('running', { disableApiStop: true }))).toMatchObject({ kind: 'refuse', code: 'OperationNotPermitted' });
    expect(decide('terminate', instance('stopped', { disableApiTermination: true }))).toMatchObject({ kind: 'refuse', code: 'OperationNotPermitted' });
    expect(decide('stop', instance('stopped', { disableApiStop: true })).kind).toBe('noop');
    expect(decide('terminate', instance('terminated', { disableApiTermination: true })).kind).toBe('noop');
  });

  it('retries a stop or termination whose saga failed (the state carries a stateReason)', () => {
    const reason = { code: 'FaultInjected', message: 'x' };
    expect(decide('stop', instance('stopping', { stateReason: reason })).kind).toBe('retry');
    expect(decide('terminate', instance('shutting-down', { stateReason: reason })).kind).toBe('retry');
    expect(decide('start', instance('stopping', { stateReason: reason })).kind).toBe('refuse');
  });
});

describe('running time', () => {
  const at = (iso: string) => new Date(iso);

  it('counts the interval in progress only while running, in whole seconds', () => {
    const running = { status: 'running' as const, launchedAt: '2026-11-22T10:00:00.000Z', runningMillis: 1500 };
    expect(runningSecondsAt(running, at('2026-11-22T10:00:10.400Z'))).toBe(11);
    expect(runningSecondsAt({ ...running, status: 'stopped' }, at('2026-11-22T11:00:00.000Z'))).toBe(1);
  });

  it('never loses or double-counts a fraction of a second across intervals', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 })), { maxLength: 20 }), (intervals) => {
        let clock = Date.parse('2026-01-01T00:00:00.000Z');
        let record = { status: 'stopped' as InstanceState, launchedAt: undefined as string | undefined, runningMillis: 0 };
        let total = 0;
        for (const [up, down] of intervals) {
          record = { ...record, status: 'running', launchedAt: new Date(clock).toISOString() };
          clock += up;
          total += up;
          record = { ...record, runningMillis: runningMillisAfterLeaving(record, new Date(clock)), status: 'stopped' };
          clock += down;
        }
        expect(runningSecondsAt(record, new Date(clock))).toBe(Math.floor(total / 1000));
      }),
    );
  });
});

describe('templates', () => {
  it('takes the template settings, lets the body override them and merges tags', () => {
    const merged = withTemplate({ flavorId: 'm5.large', imageId: 'img-a', rootVolumeGb: 20, tags: { a: '1', b: '2' } }, { rootVolumeGb: 40, flavorId: undefined, tags: { b: '3' } });
    expect(merged).toEqual({ flavorId: 'm5.large', imageId: 'img-a', rootVolumeGb: 40, tags: { a: '1', b: '3' } });
    expect(withTemplate(undefined, { flavorId: 't3.micro' })).toEqual({ flavorId: 't3.micro' });
  });
});

describe('public addresses', () => {
  it('are host addresses of the pool, never its network or broadcast address', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => {
        const ip = randomPoolAddress('198.18.0.0/15', () => r);
        expect(cidrHasAddress('198.18.0.0/15', ip)).toBe(true);
        expect(['198.18.0.0', '198.19.255.255']).not.toContain(ip);
      }),
    );
    expect(randomPoolAddress('203.0.113.0/30', () => 0)).toBe('203.0.113.1');
    expect(randomPoolAddress('203.0.113.0/30', () => 0.999)).toBe('203.0.113.2');
  });
});
