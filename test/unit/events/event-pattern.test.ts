import { compilePattern, matchesPattern, type EventPattern } from '../../../lib/local/event-pattern';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'tenant.activated',
  source: 'platform.tenancy',
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:one', 'arn:two'],
  detail: {
    eventId: 'evt-1',
    tenantId: 'tnt-1',
    resourceId: 'tnt-1',
    actor: 'system:provisioning',
    data: { plan: 'pro', vcpus: 8, tags: ['a', 'b'], note: null, flag: false },
  },
};

describe('EventBridge patterns, matched locally', () => {
  it.each<[string, EventPattern, boolean]>([
    ['an exact source', { source: ['platform.tenancy'] }, true],
    ['one of several detail-types', { 'detail-type': ['tenant.created', 'tenant.activated'] }, true],
    ['a detail-type not listed', { 'detail-type': ['tenant.created'] }, false],
    ['nested detail fields', { detail: { data: { plan: ['pro'] } } }, true],
    ['a nested field with another value', { detail: { data: { plan: ['starter'] } } }, false],
    ['a field the event lacks', { detail: { data: { missing: ['x'] } } }, false],
    ['a number, compared as a number', { detail: { data: { vcpus: [8] } } }, true],
    ['a number written as a string does not match', { detail: { data: { vcpus: ['8'] } } }, false],
    ['null', { detail: { data: { note: [null] } } }, true],
    ['false', { detail: { data: { flag: [false] } } }, true],
    ['an array field matches if any element does', { detail: { data: { tags: ['b'] } } }, true],
    ['an array field with no element matching', { resources: ['arn:three'] }, false],
    ['prefix', { source: [{ prefix: 'platform.' }] }, true],
    ['prefix that does not match', { source: [{ prefix: 'aws.' }] }, false],
    ['suffix', { 'detail-type': [{ suffix: '.activated' }] }, true],
    ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'TENANT.Activated' }] }, true],
    ['wildcard', { 'detail-type': [{ wildcard: 'tenant.*ed' }] }, true],
    ['wildcard that does not match', { 'detail-type': [{ wildcard: 'project.*' }] }, false],
    ['anything-but a value', { detail: { data: { plan: [{ 'anything-but': 'starter' }] } } }, true],
    ['anything-but the value it has', { detail: { data: { plan: [{ 'anything-but': ['pro', 'enterprise'] }] } } }, false],
    ['anything-but a prefix', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, true],
    ['anything-but needs the field', { detail: { data: { missing: [{ 'anything-but': 'x' }] } } }, false],
    ['exists: true', { detail: { actor: [{ exists: true }] } }, true],
    ['exists: false on a missing field', { detail: { data: { missing: [{ exists: false }] } } }, true],
    ['exists: false on a present field', { detail: { actor: [{ exists: false }] } }, false],
    ['numeric range', { detail: { data: { vcpus: [{ numeric: ['>', 4, '<=', 8] }] } } }, true],
    ['numeric range outside', { detail: { data: { vcpus: [{ numeric: ['>', 8] }] } } }, false],
    ['every field must match', { source: ['platform.tenancy'], 'detail-type': ['tenant.created'] }, false],
    ['$or with one matching branch', { $or: [{ source: ['aws.ec2'] }, { detail: { data: { plan: ['pro'] } } }] }, true],
    ['$or with no matching branch', { $or: [{ source: ['aws.ec2'] }, { 'detail-type': ['x.y'] }] }, false],
  ])('%s → %s', (_label, pattern, expected) => {
    // Prepare: the event above
    // Act
    const matched = matchesPattern(pattern, event);
    // Assess
    expect(matched).toBe(expected);
  });

  it.each<[string, EventPattern]>([
    ['a leaf that is not an array', { source: 'platform.tenancy' }],
    ['an empty array', { source: [] }],
    ['an unsupported operator', { detail: { ip: [{ cidr: '10.0.0.0/8' }] } }],
    ['two operators in one matcher', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['a numeric operator it does not know', { detail: { n: [{ numeric: ['!=', 1] }] } }],
    ['anything-but with a wildcard', { source: [{ 'anything-but': { wildcard: 'a*' } }] }],
    ['an empty pattern', {}],
  ])('refuses %s when compiled, instead of matching differently from the cloud', (_label, pattern) => {
    // Act / Assess
    expect(() => compilePattern(pattern)).toThrow(/Unsupported event pattern/);
  });
});
