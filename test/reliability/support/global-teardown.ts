/** Stops what the reliability setup started (the run-wide teardown may run first or not see it; stopping twice is harmless). */
export default async function reliabilityTeardown(): Promise<void> {
  await globalThis.__dynamoDbLocal?.stop();
}
