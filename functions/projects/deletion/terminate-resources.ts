/**
 * TerminateResources: asks every live resource of the project to terminate, each the way its own
 * domain does (the registry in ./terminators.ts). Types go in waves: a type registered `after`
 * others (a VPC after its instances) is asked only once the project's resources of those types
 * have gone, which this step waits for, for at most WAVE_WAIT_MS a run (the Task function stops
 * at 50 s); past that it fails as transient and the state machine runs it again.
 */
// Every domain's terminator, registered in ./terminators.ts by the modules this one loads.
import '../../wiring/project-terminators';
import { sagaStep } from '../../sagas/step';
import { StepError, TransientError } from '../../sagas/errors';
import { listProjectMembers, type ProjectMember } from '../repository';
import { deletingProject, projectDeletion } from './saga';
import { terminationWaves, terminatorOf } from './terminators';

export const WAVE_WAIT_MS = 40_000;
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 2_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the project has no member of `types` left. */
async function awaitGone(tenantId: string, projectId: string, types: readonly string[]): Promise<void> {
  const deadline = Date.now() + WAVE_WAIT_MS;
  for (let delay = FIRST_POLL_MS; ; delay = Math.min(MAX_POLL_MS, delay * 2)) {
    const left = (await listProjectMembers(tenantId, projectId)).filter((m) => types.includes(m.resourceType));
    if (left.length === 0) return;
    if (Date.now() + delay > deadline) {
      throw new TransientError(`${left.length} resources (${[...new Set(left.map((m) => m.resourceType))].join(', ')}) of project ${projectId} have not terminated yet.`);
    }
    await pause(delay);
  }
}

export const handler = sagaStep({ saga: projectDeletion, step: 'TerminateResources' }, async ({ input, now, actor }) => {
  await deletingProject(input.tenantId, input.resourceId, input.operationId);
  const members = await listProjectMembers(input.tenantId, input.resourceId);
  const unsupported = [...new Set(members.map((m) => m.resourceType).filter((type) => !terminatorOf(type)))];
  if (unsupported.length > 0) {
    throw new StepError('UnsupportedResourceType', `The project holds resources this platform cannot terminate: ${unsupported.join(', ')}.`);
  }
  const ask = (member: ProjectMember) =>
    terminatorOf(member.resourceType)!({ tenantId: input.tenantId, ...member, operationId: input.operationId, actor, now });
  const waves = terminationWaves(members.map((m) => m.resourceType));
  for (const [index, wave] of waves.entries()) {
    if (index > 0) await awaitGone(input.tenantId, input.resourceId, waves.slice(0, index).flat());
    // Each termination is its own change (and idempotent), so a retried step asks again harmlessly.
    for (const member of members.filter((m) => wave.includes(m.resourceType))) await ask(member);
  }
  return { output: { requested: members.length } };
});
