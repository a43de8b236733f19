/**
 * Load for the benchmarks: closed-loop workers (each sends its next request when the last one
 * answered), latency percentiles, and a small keep-alive HTTP client. Ours and the reference run in
 * alternating phases, so a slow spell of a shared machine falls on both sides alike.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface Stats {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

class Recorder {
  latencies: number[] = [];
  busyMs = 0;

  stats(): Stats {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const seconds = this.busyMs / 1000;
    return { requests: sorted.length, seconds, perSecond: sorted.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }
}

/**
 * One phase: `concurrency` workers call `op(worker)` until `durationMs` has passed or some worker's
 * `op` returns false (nothing left to send): the phase ends for all then, so it only ever measures
 * the full concurrency.
 */
async function phase(recorder: Recorder | undefined, concurrency: number, durationMs: number, op: (worker: number) => Promise<boolean | void>) {
  const started = performance.now();
  const deadline = started + durationMs;
  const latencies: number[] = [];
  let exhausted = false;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (!exhausted && performance.now() < deadline) {
        const t0 = performance.now();
        const more = await op(worker);
        if (more === false) {
          exhausted = true;
          return;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  if (recorder) {
    recorder.latencies.push(...latencies);
    recorder.busyMs += performance.now() - started;
  }
}

export interface Side {
  name: string;
  op: (worker: number) => Promise<boolean | void>;
  /** Called before each phase of this side (e.g. to prepare what it will send). */
  before?: () => Promise<void>;
  /** This side's unmeasured warm-up (default the call's `warmupMs`). */
  warmupMs?: number;
}

/**
 * Runs every side in turn, `rounds` times, each phase `phaseMs` long, after a short unmeasured
 * warm-up of each: the side's stats over all its phases. Every other round runs the sides in reverse
 * order, so no side always follows the same one (a phase may pay for work its predecessor left).
 */
export async function alternate(sides: Side[], options: { concurrency: number; phaseMs: number; rounds: number; warmupMs?: number }): Promise<Stats[]> {
  const recorders = sides.map(() => new Recorder());
  for (const side of sides) {
    await side.before?.();
    await phase(undefined, options.concurrency, side.warmupMs ?? options.warmupMs ?? 300, side.op);
  }
  for (let round = 0; round < options.rounds; round++) {
    const order = [...sides.entries()];
    if (round % 2 === 1) order.reverse();
    for (const [index, side] of order) {
      await side.before?.();
      await phase(recorders[index], options.concurrency, options.phaseMs, side.op);
    }
  }
  return recorders.map((r) => r.stats());
}

/** One side of an interleaved comparison: `prepare` (untimed) readies what `op` (timed) will send. */
export interface PairedSide {
  name: string;
  op: (worker: number) => Promise<void>;
  prepare?: (worker: number) => Promise<void> | void;
}

export interface Spread {
  /** The median over the batches of each batch's ratio. */
  median: number;
  min: number;
  max: number;
  batches: number[];
}

export interface Interleaved {
  /** Each side's latencies over all batches; `perSecond` is the closed-loop equivalent, concurrency / mean latency. */
  stats: Stats[];
  /**
   * For each side, how sides[0] compares with it, batch by batch: the median over the batch's pairs
   * (one worker's request of that side and its request of sides[0] in the same round) of the side's
   * latency over sides[0]'s. Above 1, sides[0] is the faster. `ratios[0]` is 1 throughout.
   */
  ratios: Spread[];
}

function shuffled(count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/**
 * Interleaved pairs (or tuples): each round sends one request of every side from every worker, side
 * after side in a fresh random order each round, the workers of a side at once (so each side runs at
 * the full concurrency, and never alone for long). The sides thus share every moment of the run (a
 * slow spell of the machine, DynamoDB Local's state, the spacing between requests) instead of taking
 * turns in phases. A batch runs `batchMs`; its ratio is the median of its pairs' ratios (the median,
 * not the mean: a spike of another process on the machine falls on one request of one side and
 * would swing a mean); the result is the median batch ratio and the spread (min–max) over `batches`
 * batches, after one unmeasured warm-up batch. At concurrency 1 this is API request, raw request,
 * in a random order.
 */
export async function interleaved(
  sides: PairedSide[],
  options: { concurrency: number; batches: number; batchMs: number; warmupMs?: number },
): Promise<Interleaved> {
  const all = sides.map(() => new Recorder());
  const perBatch: number[][] = sides.map(() => []);
  const workers = Array.from({ length: options.concurrency }, (_, worker) => worker);
  for (let batch = -1; batch < options.batches; batch++) {
    const deadline = performance.now() + (batch < 0 ? (options.warmupMs ?? 500) : options.batchMs);
    const latencies: number[][] = sides.map(() => []);
    const pairRatios: number[][] = sides.map(() => []);
    while (performance.now() < deadline) {
      const round: number[][] = sides.map(() => []);
      for (const index of shuffled(sides.length)) {
        const side = sides[index] as PairedSide;
        await Promise.all(
          workers.map(async (worker) => {
            await side.prepare?.(worker);
            const t0 = performance.now();
            await side.op(worker);
            (round[index] as number[])[worker] = performance.now() - t0;
          }),
        );
      }
      round.forEach((values, index) => {
        (latencies[index] as number[]).push(...values);
        values.forEach((value, worker) => {
          (pairRatios[index] as number[]).push(value / ((round[0] as number[])[worker] as number));
        });
      });
    }
    if (batch < 0) continue;
    sides.forEach((_, index) => {
      (perBatch[index] as number[]).push(median(pairRatios[index] as number[]));
      const recorder = all[index] as Recorder;
      recorder.latencies.push(...(latencies[index] as number[]));
      recorder.busyMs += (latencies[index] as number[]).reduce((sum, value) => sum + value, 0) / options.concurrency;
    });
  }
  return {
    stats: all.map((recorder) => recorder.stats()),
    ratios: perBatch.map((batches) => ({ median: median(batches), min: Math.min(...batches), max: Math.max(...batches), batches })),
  };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A keep-alive client for one base URL: lighter than fetch, so the client's own cost stays small. */
export function httpClient(baseUrl: string, maxSockets = 64) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(payload));
      }
      const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  return Object.assign(send, { close: () => agent.destroy() });
}

export type HttpClient = ReturnType<typeof httpClient>;

/** Throws unless the answer has the expected status: a benchmark of errors measures nothing. */
export function expectStatus(answer: HttpAnswer, status: number, what: string): HttpAnswer {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.body.slice(0, 300)}`);
  return answer;
}
