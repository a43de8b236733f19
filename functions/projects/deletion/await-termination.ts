/**
 * AwaitTermination: how many resources of the project are still live, and how long to wait before
 * asking again (doubling up to 30 s). Not a recorded step: a poll the state machine loops on. After
 * MAX_POLLS it gives up (TerminationTimedOut), which the Catch turns into the compensation.
 */
import * as z from 'zod/mini';
import { checkFault } from '../../kit/faults';
import { faultPoint } from '../../sagas/define';
import { StepError, stepFailure } from '../../sagas/errors';
import { sagaInputSchema } from '../../sagas/step';
import { getProjectStats } from '../repository';
import { projectDeletion } from './saga';

export const MAX_POLLS = 120;
const MAX_DELAY_SECONDS = 30;

const input = z.extend(sagaInputSchema, { wait: z.optional(z.object({ polls: z.int().check(z.gte(0)) })) });

export interface AwaitResult {
  live: number;
  polls: number;
  delaySeconds: number;
}

export const handler = async (event: unknown): Promise<AwaitResult> => {
  try {
    checkFault(faultPoint(projectDeletion, 'AwaitTermination'));
    const parsed = input.safeParse(event);
    if (!parsed.success) throw new StepError('InvalidSagaInput', parsed.error.message);
    const polls = (parsed.data.wait?.polls ?? 0) + 1;
    const stats = await getProjectStats(parsed.data.tenantId, parsed.data.resourceId);
    if (stats.resources.live > 0 && polls >= MAX_POLLS) {
      throw new StepError('TerminationTimedOut', `${stats.resources.live} resources of the project did not terminate after ${polls} checks.`);
    }
    return { live: stats.resources.live, polls, delaySeconds: Math.min(MAX_DELAY_SECONDS, 2 ** Math.min(polls - 1, 5)) };
  } catch (error) {
    throw stepFailure(error);
  }
};
