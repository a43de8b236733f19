import { declaredJobs, type JobDescription } from '../kit/job';
import { NotFound } from '../kit/errors';

/** The manifest's job of this name, or 404 NoSuchJob. */
export function knownJob(name: string): JobDescription {
  const job = declaredJobs().find((candidate) => candidate.name === name);
  if (!job) throw new NotFound('NoSuchJob', `No job is named ${name}.`);
  return job;
}
