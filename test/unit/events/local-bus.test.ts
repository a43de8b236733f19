import '../support/env';
import type { EventRuleSpec } from '../../../functions/manifest';
import { createLocalEventBus, invokeHandlerModule, type BusEvent } from '../../../lib/local/event-bus';

const detail = { eventId: 'evt-1', tenantId: 'tnt-1', resourceType: 'tenant', resourceId: 'tnt-1', occurredAt: '2026-05-01T12:34:56.789Z', actor: 'user:u', data: { plan: 'pro' } };
const entry = (detailType = 'tenant.created', body: unknown = detail) => ({
  Source: 'platform.tenancy',
  DetailType: detailType,
  Detail: JSON.stringify(body),
  Time: new Date(detail.occurredAt),
});

const rules: EventRuleSpec[] = [
  {
    name: 'ProvisionTenant',
    pattern: { source: ['platform.tenancy'], 'detail-type': ['tenant.created'] },
    target: { stateMachine: 'TenantProvisioning' },
    description: 'starts the saga',
  },
  {
    name: 'WelcomeMail',
    pattern: { 'detail-type': ['tenant.activated'], detail: { data: { plan: [{ 'anything-but': 'starter' }] } } },
    target: { handler: 'notifications/welcome' },
    description: 'sends a mail',
  },
];

describe('the local event bus', () => {
  it('answers PutEvents like EventBridge and hands subscribers the EventBridge envelope', async () => {
    // Prepare
    const bus = createLocalEventBus({ rules: [], region: 'eu-west-1' });
    const seen: BusEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    // Act
    const out = await bus.putEvents([entry()]);
    // Assess
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toEqual([{ EventId: seen[0]!.id }]);
    expect(seen[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'tenant.created',
      source: 'platform.tenancy',
      account: '000000000000',
      time: '2026-05-01T12:34:56Z',
      region: 'eu-west-1',
      resources: [],
      detail,
    });
  });

  it('gives each publication a new envelope id while the domain eventId stays', async () => {
    // Prepare
    const bus = createLocalEventBus({ rules: [] });
    const seen: BusEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    // Act
    await bus.putEvents([entry()]);
    await bus.putEvents([entry()]);
    // Assess
    expect(seen[0]!.id).not.toBe(seen[1]!.id);
    expect(seen.map((e) => e.detail.eventId)).toEqual(['evt-1', 'evt-1']);
  });

  it('refuses malformed entries one by one and accepts the rest', async () => {
    // Prepare
    const bus = createLocalEventBus({ rules: [] });
    // Act
    const out = await bus.putEvents([entry(), { ...entry(), Detail: '{nope' }, { ...entry(), Detail: '[1]' }, { Source: 'platform.x', DetailType: 'a.b' }]);
    // Assess
    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries!.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'MalformedDetail', 'MalformedDetail', 'InvalidArgument']);
  });

  it('refuses a call over the PutEvents limits as EventBridge does', async () => {
    // Prepare
    const bus = createLocalEventBus({ rules: [] });
    // Act / Assess
    await expect(bus.putEvents(Array.from({ length: 11 }, () => entry()))).rejects.toThrow(/1 to 10 entries/);
    await expect(bus.putEvents([entry('tenant.created', { ...detail, data: 'x'.repeat(300 * 1024) })])).rejects.toThrow(/256 KB/);
  });

  it('starts the state machine of a matching rule with the whole event, after PutEvents has answered', async () => {
    // Prepare
    const started: [string, BusEvent][] = [];
    const bus = createLocalEventBus({ rules, targets: { startStateMachine: async (name, input) => void started.push([name, input]) } });
    // Act
    await bus.putEvents([entry('tenant.created')]);
    const beforeDrain = started.length;
    await bus.drain();
    // Assess
    expect(beforeDrain).toBe(0);
    expect(started).toHaveLength(1);
    expect(started[0]![0]).toBe('TenantProvisioning');
    expect(started[0]![1]).toMatchObject({ 'detail-type': 'tenant.created', detail: { eventId: 'evt-1' } });
  });

  it('invokes the handler of a matching rule, and nothing for events no rule matches', async () => {
    // Prepare
    const invoked: string[] = [];
    const bus = createLocalEventBus({
      rules,
      targets: { invokeHandler: async (module, event) => void invoked.push(`${module}:${event.detail.data && (event.detail.data as { plan: string }).plan}`) },
    });
    // Act
    await bus.putEvents([entry('tenant.activated'), entry('tenant.activated', { ...detail, data: { plan: 'starter' } }), entry('tenant.suspended')]);
    await bus.drain();
    // Assess
    expect(invoked).toEqual(['notifications/welcome:pro']);
  });

  it('retries a failing target and keeps the event as a dead letter after the last attempt', async () => {
    // Prepare
    let attempts = 0;
    const bus = createLocalEventBus({
      rules,
      deliveryAttempts: 3,
      retryDelayMs: 1,
      targets: {
        startStateMachine: async () => {
          attempts += 1;
          throw new Error('runner down');
        },
      },
    });
    // Act
    await bus.putEvents([entry('tenant.created')]);
    await bus.drain();
    // Assess
    expect(attempts).toBe(3);
    expect(bus.deadLetters).toEqual([{ rule: 'ProvisionTenant', event: expect.objectContaining({ 'detail-type': 'tenant.created' }), error: 'runner down' }]);
  });

  it('delivers once a target recovers within its attempts, and setTargets wires a runner later', async () => {
    // Prepare: no runner at first, as before the runtime has wired one
    const started: string[] = [];
    let failures = 0;
    const bus = createLocalEventBus({ rules, retryDelayMs: 1 });
    bus.setTargets({
      startStateMachine: async (name) => {
        if (failures++ < 1) throw new Error('not yet');
        started.push(name);
      },
    });
    // Act
    await bus.putEvents([entry('tenant.created')]);
    await bus.drain();
    // Assess
    expect(started).toEqual(['TenantProvisioning']);
    expect(bus.deadLetters).toEqual([]);
  });

  it('a subscriber that throws does not stop delivery to others', async () => {
    // Prepare
    const bus = createLocalEventBus({ rules: [] });
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('bad subscriber');
    });
    const unsubscribe = bus.subscribe((event) => seen.push(event.detail.eventId));
    // Act
    const out = await bus.putEvents([entry()]);
    unsubscribe();
    await bus.putEvents([entry()]);
    // Assess
    expect(out.FailedEntryCount).toBe(0);
    expect(seen).toEqual(['evt-1']);
  });

  it('refuses at start a rule whose pattern it cannot match as EventBridge would', () => {
    // Act / Assess
    expect(() =>
      createLocalEventBus({ rules: [{ ...rules[0]!, pattern: { detail: { ip: [{ cidr: '10.0.0.0/24' }] } } }] }),
    ).toThrow(/Unsupported event pattern/);
  });

  it('calls a { handler } target as Lambda would: the module under functions/, with a Lambda-like context', async () => {
    // Prepare: the relay module is a handler module at hand; a removal makes it publish nothing
    process.env.EVENT_BUS_NAME = 'bus';
    const event = { Records: [{ eventName: 'REMOVE', dynamodb: { SequenceNumber: '1' } }] } as unknown as BusEvent;
    try {
      // Act
      const result = await invokeHandlerModule('events/relay', event);
      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      await expect(invokeHandlerModule('events/no-such-module', event)).rejects.toThrow(/Cannot find module/);
    } finally {
      delete process.env.EVENT_BUS_NAME;
    }
  });
});
