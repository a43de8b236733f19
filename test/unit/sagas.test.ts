/**
 * The saga definitions and kit without a database: every ASL file is valid and fully mapped, each
 * forward step's failure leads through the compensations in reverse order, injected faults are not
 * retried; plus the fault registry, error classification and the local runner's loading rules.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armedFaults, checkFault, clearFaults, FaultInjected, injectFault, parseFaults } from '../../functions/kit/faults';
import { RetryRequest } from '../../functions/kit/transaction';
import { manifest } from '../../functions/manifest';
import { defineSaga, MARK_FAILED_STATE, undoStateName } from '../../functions/sagas/define';
import { isTransient, stepFailure, TransientError } from '../../functions/sagas/errors';
import { operationView, newOperation } from '../../functions/sagas/operation';
import { tenantProvisioning } from '../../functions/tenancy/provisioning/saga';
import { allStates, createLocalStepFunctions, substitute } from '../../lib/local/step-functions';

// asl-validator ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validate = require('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };

const ROOT = join(__dirname, '..', '..');
const MACHINES_DIR = join(ROOT, 'statemachines');
type State = { Type: string; Resource?: string; Next?: string; End?: boolean; Catch?: { ErrorEquals: string[]; Next: string }[]; Retry?: { ErrorEquals: string[] }[] };
type Definition = { StartAt: string; States: Record<string, State> };

const read = (file: string) => JSON.parse(readFileSync(join(MACHINES_DIR, file), 'utf8')) as Definition;
const aslFiles = readdirSync(MACHINES_DIR).filter((file) => file.endsWith('.asl.json'));

describe('statemachines/*.asl.json', () => {
  it('holds at least the tenant provisioning saga', () => {
    expect(aslFiles).toContain('tenant-provisioning.asl.json');
  });

  it.each(aslFiles)('%s is valid ASL for asl-validator', (file) => {
    const result = validate(read(file));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('asl-validator does catch a broken definition (the check itself works)', () => {
    const broken = read('tenant-provisioning.asl.json');
    (broken.States.ApplyQuotas as State).Next = 'NoSuchState';
    expect(validate(broken).isValid).toBe(false);
  });

  it.each(aslFiles)('%s is listed in the manifest, with every Task placeholder mapped to an existing handler module', (file) => {
    const spec = manifest.stateMachines.find((machine) => machine.definition === `statemachines/${file}`);
    expect(spec).toBeDefined();
    const text = readFileSync(join(MACHINES_DIR, file), 'utf8');
    const placeholders = [...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]))].sort();
    expect(Object.keys(spec!.tasks).sort()).toEqual(placeholders);
    for (const [name, state] of allStates(read(file) as never)) {
      if (state.Type === 'Task') expect([name, state.Resource]).toEqual([name, expect.stringMatching(/^\$\{[A-Za-z0-9_]+\}$/)]);
    }
    for (const module of Object.values(spec!.tasks)) {
      expect(existsSync(join(ROOT, 'functions', `${module}.ts`))).toBe(true);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(typeof (require(join(ROOT, 'functions', module)) as { handler?: unknown }).handler).toBe('function');
    }
  });

  // Events arrive at least once, so a saga may be started twice for one operation: the first
  // execution claims the operation and every forward step lets a second one stop quietly.
  it.each(aslFiles)('%s claims its operation for one execution and lets a duplicate stop', (file) => {
    const definition = read(file) as { StartAt: string; States: Record<string, { Type: string; Parameters?: Record<string, string>; Catch?: { ErrorEquals: string[]; Next: string }[]; Next?: string }> };
    const first = definition.States[definition.StartAt];
    expect(first?.Parameters?.['executionId.$']).toBe('$$.Execution.Id');
    const firstTask = definition.States[first?.Next as string];
    expect(firstTask?.Type).toBe('Task');
    const duplicate = firstTask?.Catch?.find((c) => c.ErrorEquals.includes('DuplicateExecution'));
    expect(definition.States[duplicate?.Next as string]?.Type).toBe('Succeed');
  });

  it('every event rule targets a state machine the manifest declares', () => {
    const names = manifest.stateMachines.map((machine) => machine.name);
    for (const rule of manifest.eventRules) {
      if ('stateMachine' in rule.target) expect(names).toContain(rule.target.stateMachine);
    }
    expect(manifest.eventRules.find((rule) => rule.name === 'StartTenantProvisioning')?.pattern).toEqual({
      source: ['platform.tenancy'],
      'detail-type': ['tenant.created'],
    });
  });
});

describe('the TenantProvisioning definition', () => {
  const definition = read('tenant-provisioning.asl.json');
  const steps = tenantProvisioning.steps;

  /** The states a failure of `step` walks through: its Catch target, then Next until a Fail state. */
  function failurePath(step: string): string[] {
    const path: string[] = [];
    let name: string | undefined = definition.States[step]?.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next;
    while (name && path.length < 20) {
      path.push(name);
      const state: State | undefined = definition.States[name];
      if (!state || state.Type === 'Fail') break;
      name = state.Next;
    }
    return path;
  }

  it('runs the forward steps in the saga order after reading the event', () => {
    const order: string[] = [];
    let name: string | undefined = definition.StartAt;
    while (name) {
      order.push(name);
      name = definition.States[name]?.Next;
    }
    expect(order).toEqual(['ReadEvent', ...steps]);
  });

  it.each(steps.map((step, index) => [step, index] as const))(
    'a failure of %s compensates every step before it in reverse order, then marks the tenant failed',
    (step, index) => {
      const path = failurePath(step);
      const undos = path.filter((state) => state.startsWith('Undo'));
      const expected = steps.slice(0, index).reverse().map(undoStateName);
      // The failed step's own Undo may come first (it undoes only what it finds); then the earlier ones, newest first.
      expect(undos.filter((state) => state !== undoStateName(step))).toEqual(expected);
      expect(path.slice(-2)).toEqual([MARK_FAILED_STATE, 'ProvisioningFailed']);
    },
  );

  it('retries forward steps on transient errors only, never on an injected fault', () => {
    for (const step of steps) {
      const retried = (definition.States[step]?.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
      expect(retried).toContain('TransientError');
      expect(retried).not.toEqual(expect.arrayContaining(['States.ALL']));
      expect(retried).not.toContain('States.TaskFailed');
      expect(retried).not.toContain('FaultInjected');
    }
  });

  it('stops a second execution of the same operation at any Task, without compensating', () => {
    expect(definition.States.AlreadyRunning?.Type).toBe('Succeed');
    for (const [name, state] of Object.entries(definition.States).filter(([, s]) => s.Type === 'Task')) {
      expect([name, state.Catch?.[0]]).toEqual([name, { ErrorEquals: ['DuplicateExecution'], Next: 'AlreadyRunning' }]);
      const retriers = state.Retry ?? [];
      const first = retriers.findIndex((r) => r.ErrorEquals.includes('DuplicateExecution') || r.ErrorEquals.includes('States.ALL'));
      if (first >= 0) expect([name, retriers[first]]).toEqual([name, { ErrorEquals: ['DuplicateExecution'], MaxAttempts: 0 }]);
    }
  });

  it('sends a compensation that keeps failing to CompensationFailed', () => {
    const undos = Object.keys(definition.States).filter((name) => name.startsWith('Undo'));
    // Activate is the last step and one transaction: nothing after it can fail, so it has no Undo.
    expect(undos.sort()).toEqual(steps.slice(0, -1).map(undoStateName).sort());
    for (const state of [...undos, MARK_FAILED_STATE]) {
      expect(definition.States[state]?.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next).toBe('CompensationFailed');
    }
    expect(definition.States.CompensationFailed?.Type).toBe('Fail');
  });
});

describe('fault injection', () => {
  afterEach(() => clearFaults());

  it('fails the next N checks of a point, then lets it pass', () => {
    injectFault('Saga.Step', { times: 2 });
    expect(() => checkFault('Saga.Step')).toThrow(FaultInjected);
    expect(() => checkFault('Saga.Step')).toThrow(expect.objectContaining({ name: 'FaultInjected', point: 'Saga.Step' }));
    expect(() => checkFault('Saga.Step')).not.toThrow();
    expect(() => checkFault('Saga.Other')).not.toThrow();
  });

  it('keeps failing until cleared when no count is given', () => {
    injectFault('Saga.Step');
    for (let i = 0; i < 5; i++) expect(() => checkFault('Saga.Step')).toThrow(FaultInjected);
    clearFaults('Saga.Step');
    expect(() => checkFault('Saga.Step')).not.toThrow();
  });

  it('parses FAULTS=point[:times],...', () => {
    expect(parseFaults('A.B:2, C.D ,E.F:*')).toEqual(new Map([['A.B', 2], ['C.D', Infinity], ['E.F', Infinity]]));
    expect(() => parseFaults('A.B:0')).toThrow(/positive whole number/);
    expect(() => parseFaults('A B')).toThrow(/not a fault point/);
  });

  it('reads FAULTS from the environment on first use', () => {
    jest.isolateModules(() => {
      process.env.FAULTS = 'Env.Point:1';
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fresh = require('../../functions/kit/faults') as typeof import('../../functions/kit/faults');
        expect(fresh.armedFaults()).toEqual({ 'Env.Point': 1 });
        expect(() => fresh.checkFault('Env.Point')).toThrow(/Fault injected at Env.Point/);
        expect(() => fresh.checkFault('Env.Point')).not.toThrow();
      } finally {
        delete process.env.FAULTS;
      }
    });
    expect(armedFaults()).toEqual({});
  });
});

describe('step errors as Step Functions sees them', () => {
  it('turns lost races, throttling and duplicates in flight into TransientError, which Retry matches', () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    const inFlight = Object.assign(new Error('busy'), { name: 'IdempotencyAlreadyInProgressError' });
    const server = Object.assign(new Error('oops'), { $metadata: { httpStatusCode: 500 } });
    for (const error of [throttled, inFlight, server, new RetryRequest('conflict')]) {
      expect(isTransient(error)).toBe(true);
      expect(stepFailure(error).name).toBe('TransientError');
    }
  });

  it('keeps the name of an injected fault and of domain errors, so they go to the Catch', () => {
    expect(stepFailure(new FaultInjected('X.Y')).name).toBe('FaultInjected');
    expect(stepFailure(Object.assign(new Error('no'), { name: 'IncorrectTenantState' })).name).toBe('IncorrectTenantState');
    expect(stepFailure('text')).toBeInstanceOf(Error);
    expect(stepFailure(new TransientError('again')).name).toBe('TransientError');
  });
});

describe('sagas and operations', () => {
  it('refuses a saga whose steps are not PascalCase or repeat', () => {
    expect(() => defineSaga({ name: 'Thing', resourceType: 'x', steps: ['doIt'] })).toThrow(/PascalCase/);
    expect(() => defineSaga({ name: 'Thing', resourceType: 'x', steps: ['A1', 'A1'] })).toThrow(/duplicate/);
    expect(() => defineSaga({ name: 'Thing', resourceType: 'x', steps: [] })).toThrow(/no steps/);
  });

  it('starts an operation running with every step pending, shown as a list in saga order', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const operation = newOperation(tenantProvisioning, { tenantId: 'tnt-1', resourceId: 'tnt-1', now });
    expect(operation).toMatchObject({ status: 'running', type: 'TenantProvisioning', resourceType: 'tenant', createdAt: now.toISOString() });
    expect(operation.id).toMatch(/^op-[0-9a-z]{26}$/);
    expect(operationView(operation).steps).toEqual(tenantProvisioning.steps.map((name) => ({ name, status: 'pending' })));
  });
});

describe('the local Step Functions runner', () => {
  it('substitutes every placeholder and refuses an unknown one', () => {
    expect(substitute('{"Resource":"${A}"}', { A: 'arn:a' }, 'x.json')).toBe('{"Resource":"arn:a"}');
    expect(() => substitute('{"Resource":"${B}"}', { A: 'arn:a' }, 'x.json')).toThrow(/no substitution for \$\{B\}/);
  });

  it('refuses a definition with a Task it cannot run locally (it would call real AWS)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asl-'));
    writeFileSync(
      join(dir, 'm.asl.json'),
      JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Real', End: true } } }),
    );
    const make = () =>
      createLocalStepFunctions({ rootDir: dir, machines: [{ name: 'M', definition: 'm.asl.json', tasks: {}, description: 'test' }] });
    expect(make).toThrow(/Task T .* has no local handler/);
  });

  it('runs a machine with its Tasks mapped to local handlers and reports a failure by its error name', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'asl-'));
    writeFileSync(
      join(dir, 'm.asl.json'),
      JSON.stringify({
        StartAt: 'Double',
        States: {
          Double: { Type: 'Task', Resource: '${DoubleFn}', Next: 'Check' },
          Check: { Type: 'Task', Resource: '${CheckFn}', End: true },
        },
      }),
    );
    const runner = createLocalStepFunctions({
      rootDir: dir,
      machines: [{ name: 'M', definition: 'm.asl.json', tasks: { DoubleFn: 'double', CheckFn: 'check' }, description: 'test' }],
      loadHandler: (module) =>
        module === 'double'
          ? async (event: { n: number }) => ({ n: event.n * 2 })
          : async (event: { n: number }) => {
              if (event.n > 10) throw Object.assign(new Error('too big'), { name: 'TooBig' });
              return { ok: true, n: event.n };
            },
    });
    // Act
    const small = await runner.start('M', { n: 2 });
    const big = await runner.start('M', { n: 6 });
    await runner.idle();
    // Assess
    expect(small).toMatchObject({ status: 'SUCCEEDED', output: { ok: true, n: 4 }, states: ['Double', 'Check'] });
    expect(big).toMatchObject({ status: 'FAILED', error: { error: 'TooBig', cause: 'too big' } });
    expect(small.executionArn).toMatch(/^arn:aws:states:[a-z0-9-]+:000000000000:execution:M:/);
    await expect(runner.start('Nope', {})).rejects.toThrow(/No state machine named Nope/);
  });
});
