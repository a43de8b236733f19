/**
 * Fault injection for sagas and their tests: a named point (`TenantProvisioning.GrantCredits`)
 * fails the next `times` calls (default: every call until cleared) with a FaultInjected error.
 *
 * Two sources: the in-process registry (`injectFault`, tests) and the FAULTS environment variable
 * (`FAULTS=TenantProvisioning.Activate:1,Other.Step`, set by `npm start --faults`), read on first
 * use. FaultInjected has its own error name, which the state machines' Retry does not match, so an
 * injected fault goes straight to the Catch and the compensation.
 */
export const FAULT_INJECTED = 'FaultInjected';

export class FaultInjected extends Error {
  constructor(readonly point: string) {
    super(`Fault injected at ${point}`);
    this.name = FAULT_INJECTED;
  }
}

interface Armed {
  /** Failures left; Infinity until cleared. */
  remaining: number;
}

const registry = new Map<string, Armed>();
let environmentRead = false;

/** Parses `point[:times],...`; a missing or `*` count means every call. */
export function parseFaults(spec: string): Map<string, number> {
  const faults = new Map<string, number>();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [point, count] = part.split(':') as [string, string | undefined];
    if (!/^[A-Za-z0-9_.-]+$/.test(point)) throw new Error(`FAULTS: "${point}" is not a fault point name`);
    const times = count === undefined || count === '*' ? Infinity : Number(count);
    if (!(times === Infinity || (Number.isInteger(times) && times > 0))) {
      throw new Error(`FAULTS: "${part}" needs a positive whole number of times`);
    }
    faults.set(point, times);
  }
  return faults;
}

function readEnvironment(): void {
  if (environmentRead) return;
  environmentRead = true;
  for (const [point, times] of parseFaults(process.env.FAULTS ?? '')) registry.set(point, { remaining: times });
}

/** Arms `point`: its next `times` checks fail (default: all of them, until cleared). */
export function injectFault(point: string, options: { times?: number } = {}): void {
  readEnvironment();
  registry.set(point, { remaining: options.times ?? Infinity });
}

/** Disarms one point, or every point (the environment's too). */
export function clearFaults(point?: string): void {
  environmentRead = true;
  if (point === undefined) registry.clear();
  else registry.delete(point);
}

/** Throws FaultInjected if `point` is armed, using up one of its failures. */
export function checkFault(point: string): void {
  readEnvironment();
  const armed = registry.get(point);
  if (!armed || armed.remaining <= 0) return;
  armed.remaining -= 1;
  if (armed.remaining <= 0) registry.delete(point);
  throw new FaultInjected(point);
}

/** The armed points and their remaining failures (for logs and tests). */
export function armedFaults(): Record<string, number> {
  readEnvironment();
  return Object.fromEntries([...registry].map(([point, armed]) => [point, armed.remaining]));
}
