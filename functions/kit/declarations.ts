/**
 * The shapes of the manifest's declarations other than operations (those are ./operation.ts): jobs,
 * state machines and event rules. Here rather than in functions/manifest.ts, so the modules that
 * declare them (each domain's jobs and sagas) need not import the manifest that lists them.
 */

/** A recurring job: EventBridge Scheduler in the cloud, croner locally. */
export interface JobSpec {
  name: string;
  /** AWS syntax: `rate(5 minutes)` or `cron(0 3 * * ? *)`. */
  schedule: string;
  /** Module under functions/ exporting `handler(event: ScheduledJobEvent)`. */
  handler: string;
  description: string;
}

/** A saga: one ASL file, its Task resources written as `${Placeholder}`, each mapped to a handler. */
export interface StateMachineSpec {
  name: string;
  /** Path from the repository root: `statemachines/tenant-provisioning.asl.json`. */
  definition: string;
  /** Placeholder (without `${}`) → handler module under functions/. Every Task must be mapped. */
  tasks: Record<string, string>;
  description: string;
}

/** An EventBridge rule on the platform bus. */
export interface EventRuleSpec {
  name: string;
  /** An EventBridge event pattern (source, detail-type, detail). */
  pattern: { source?: string[]; 'detail-type'?: string[]; detail?: Record<string, unknown> };
  target: { stateMachine: string } | { handler: string };
  description: string;
}
