/**
 * Reliability, saga faults: a failure injected at every forward step of every saga in the manifest
 * ends the operation `compensated` and leaves nothing behind. Where another suite already injects
 * the fault at a step and checks its compensation, this file names it (COVERED_ELSEWHERE) instead
 * of running it again; the first test fails when the manifest has a saga step that neither this
 * file nor a named one covers, so a new saga cannot skip its fault tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearFaults, injectFault } from '../../functions/kit/faults';
import { commitWrites } from '../../functions/kit/transaction';
import { manifest } from '../../functions/manifest';
import { registerTerminator, unregisterTerminator } from '../../functions/projects/deletion/terminators';
import { projectUsageWrites } from '../../functions/projects/repository';
import type { Platform } from '../../lib/local/runtime';
import { client, ownerOfProvisionedTenant, startTestPlatform } from '../support/platform';
import { tenantItems } from './support/items';

const ROOT = join(__dirname, '..', '..');

/** Steps whose fault test lives in another file, which must name the saga and the step. */
const COVERED_ELSEWHERE: Record<string, Record<string, string>> = {
  TenantProvisioning: {
    ApplyQuotas: 'test/integration/sagas.test.ts',
    GrantCredits: 'test/integration/sagas.test.ts',
    CreateDefaultVpc: 'test/integration/sagas.test.ts',
    Activate: 'test/integration/sagas.test.ts',
  },
  ProjectDeletion: { DeleteProject: 'test/e2e/projects-cascade.test.ts' },
  InstanceLifecycle: {
    CallProvider: 'test/integration/instance-sagas.test.ts',
    AwaitProvider: 'test/integration/instance-sagas.test.ts',
    Complete: 'test/integration/instance-sagas.test.ts',
  },
};
/** Steps whose fault test is below. */
const COVERED_HERE: Record<string, string[]> = { ProjectDeletion: ['TerminateResources', 'AwaitTermination'] };

/** The saga's Task states that do the work (not the compensations, not the final bookkeeping). */
function forwardSteps(definitionPath: string): string[] {
  const definition = JSON.parse(readFileSync(join(ROOT, definitionPath), 'utf8')) as { States: Record<string, { Type: string }> };
  return Object.entries(definition.States)
    .filter(([name, state]) => state.Type === 'Task' && !name.startsWith('Undo') && name !== 'MarkFailed')
    .map(([name]) => name);
}

it('has a fault test for every forward step of every saga in the manifest', () => {
  const missing: string[] = [];
  const misnamed: string[] = [];
  for (const machine of manifest.stateMachines) {
    for (const step of forwardSteps(machine.definition)) {
      const elsewhere = COVERED_ELSEWHERE[machine.name]?.[step];
      if (COVERED_HERE[machine.name]?.includes(step)) continue;
      if (!elsewhere) {
        missing.push(`${machine.name}.${step}`);
        continue;
      }
      const text = readFileSync(join(ROOT, elsewhere), 'utf8');
      if (!text.includes('injectFault') || !text.includes(machine.name) || !text.includes(`'${step}'`) && !text.includes(`.${step}'`)) {
        misnamed.push(`${machine.name}.${step} → ${elsewhere}`);
      }
    }
  }
  expect({ missing, misnamed }).toEqual({ missing: [], misnamed: [] });
});

describe('ProjectDeletion', () => {
  let platform: Platform;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    platform = await startTestPlatform('rel-sagas', { relay: { pollMs: 50 }, scheduler: false, stepFunctions: { retryDelayMs: 10 } });
    call = client(platform.url);
    // A resource type whose termination takes it out of its project at once.
    registerTerminator('relgadget', async (request) => {
      await commitWrites(projectUsageWrites({ ...request, from: 'active', to: 'terminated', live: -1, vcpus: -1 }));
    });
  });
  afterEach(() => clearFaults());
  afterAll(async () => {
    unregisterTerminator('relgadget');
    await platform.stop();
  });

  async function outcome(operationId: string, token: string): Promise<any> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const response = await call('GET', `/v1/operations/${operationId}`, { token });
      // `failed` is a passing state: the compensations run after it, and MarkFailed ends it `compensated`.
      if (['succeeded', 'compensated'].includes(response.body.status)) return response.body;
      if (Date.now() > deadline) throw new Error(`operation still ${response.body.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // AwaitTermination is a polling state, not one of the saga's recorded steps: its error names no step.
  it.each([
    ['TerminateResources', { code: 'FaultInjected', step: 'TerminateResources' }, false],
    ['AwaitTermination', { code: 'FaultInjected' }, true],
  ])('a fault in %s: compensated, the project active again, its quota and items as before', async (step, error, terminated) => {
    // Prepare: a project holding one resource
    const { token, tenantId } = await ownerOfProvisionedTenant(platform, { projects: 3 });
    const project = (await call('POST', '/v1/projects', { token, body: { name: `faulty-${step}` } })).body;
    await commitWrites(projectUsageWrites({ tenantId, projectId: project.id, resourceType: 'relgadget', resourceId: 'g-1', to: 'active', live: 1, vcpus: 1 }));
    const before = await tenantItems(tenantId);
    injectFault(`ProjectDeletion.${step}`);
    // Act
    const accepted = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token });
    const operation = await outcome(accepted.body.operationId, token);
    await platform.eventsSettled();
    // Assess: the operation tells what happened
    expect(accepted.status).toBe(202);
    expect(operation).toMatchObject({ status: 'compensated', error });
    // the project is back, with its quota and its resource (terminated if its termination had run: that is not undone)
    const read = await call('GET', `/v1/projects/${project.id}`, { token });
    const stats = await call('GET', `/v1/projects/${project.id}/stats`, { token });
    expect(read.body.status).toBe('active');
    expect(stats.body.resources).toEqual(
      terminated ? { live: 0, byType: { relgadget: { terminated: 1 } } } : { live: 1, byType: { relgadget: { active: 1 } } },
    );
    // nothing added or removed but the operation's record, the events of the attempt and a terminated resource's membership
    const after = await tenantItems(tenantId);
    const { PROJECTRES: memberships = 0, ...unchanged } = before.kinds;
    expect(after.quotas).toEqual(before.quotas);
    expect(after.kinds).toEqual({
      ...unchanged,
      OP: (before.kinds.OP ?? 0) + 1,
      ...(memberships - (terminated ? 1 : 0) > 0 ? { PROJECTRES: memberships - (terminated ? 1 : 0) } : {}),
    });
    expect(after.events).toEqual({ ...before.events, 'project.deletion_started': 1, 'project.deletion_failed': 1 });
  });
});
