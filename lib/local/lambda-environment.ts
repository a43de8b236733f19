/**
 * The environment of a process that serves many invocations at once, as a Lambda managed instance
 * with multi-concurrency does. The invoke store, which keeps each invocation's log keys apart,
 * decides whether it is concurrent when the first AWS SDK call or log line creates it, so the
 * local runtime enters this mode before it does either.
 */
export const LOCAL_MAX_CONCURRENCY = '1000';

/** Sets the variable unless it is set; returns how to put things back (tests share processes). */
export function enterConcurrentMode(): () => void {
  if (process.env.AWS_LAMBDA_MAX_CONCURRENCY) return () => undefined;
  process.env.AWS_LAMBDA_MAX_CONCURRENCY = LOCAL_MAX_CONCURRENCY;
  return () => {
    delete process.env.AWS_LAMBDA_MAX_CONCURRENCY;
  };
}
