/**
 * Cold start: every function bundle the stack deploys (the same list and the same single esbuild
 * call as lib/platform-stack.ts and lib/bundle.ts), its size, and the median time a fresh Node
 * process takes to load it (require → module evaluated), against a bundle holding only the
 * DocumentClient built the same way. Each round loads every bundle once, the reference included,
 * so a slow spell of the machine falls on all of them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { manifest } from '../functions/manifest';
import { PRE_TOKEN_GENERATION_HANDLER } from '../lib/auth';
import { bundleHandlers } from '../lib/bundle';
import { RELAY_HANDLER } from '../lib/events';
import { stateMachineHandlers } from '../lib/state-machines';
import { median } from './support/load';
import { fixed, kib, ms, ratio, verdict, type BenchContext, type Section } from './support/report';

const run = promisify(execFile);
/** The median bundle loads within this multiple of the reference (DESIGN.md: cold start is a feature). */
export const MEDIAN_TARGET = 1.3;
/** No bundle loads in over this multiple of the reference. */
export const LOAD_TARGET = 1.6;
export const SIZE_LIMIT = 1024 * 1024;
const REFERENCE = 'baseline/document-client';
const PARALLEL = 2;
const REFERENCE_EVERY = 5;

/** Every handler module the stack bundles, as lib/platform-stack.ts lists them. */
export function deployedHandlers(): string[] {
  return [
    ...new Set([
      ...manifest.operations.map((op) => op.handler),
      PRE_TOKEN_GENERATION_HANDLER,
      RELAY_HANDLER,
      ...manifest.jobs.map((job) => job.handler),
      ...stateMachineHandlers(manifest),
    ]),
  ].sort();
}

// CPU time (user + system) of the require, not wall time: on a shared machine a process waiting for a
// core would otherwise count the wait. Loading is single-threaded work, so on an idle core the two agree.
const LOADER = 'const c=process.cpuUsage();require(process.argv[1]);const d=process.cpuUsage(c);process.stdout.write(String((d.user+d.system)/1e3))';

async function loadMs(file: string): Promise<number> {
  // The environment a Lambda gives: region, function name, quiet logger; nothing of this process's.
  const env = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'bench', POWERTOOLS_LOG_LEVEL: 'WARN' };
  const { stdout } = await run(process.execPath, ['-e', LOADER, file], { env });
  return Number(stdout);
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

export async function coldStart(ctx: BenchContext): Promise<Section> {
  // Seven loads per bundle: with three, one busy moment of the machine in two of them moved a median by 20 %.
  const rounds = ctx.full ? 15 : 7;
  const handlers = deployedHandlers();
  const outdir = mkdtempSync(join(tmpdir(), 'ccp-bench-bundles-'));
  try {
    const t0 = performance.now();
    const folders = bundleHandlers(handlers, { outdir: join(outdir, 'functions') });
    const bundleSeconds = (performance.now() - t0) / 1000;
    const reference = bundleHandlers([REFERENCE], { functionsDir: join(__dirname, 'fixtures'), outdir: join(outdir, 'reference') });
    const files = new Map<string, string>([[REFERENCE, join(reference.get(REFERENCE)!, 'index.js')]]);
    for (const [handler, folder] of folders) files.set(handler, join(folder, 'index.js'));

    const samples = new Map<string, number[]>([...files.keys()].map((h) => [h, []]));
    // The reference is the denominator of every ratio: it is loaded once per REFERENCE_EVERY bundles
    // in each round, so its median rests on many samples spread over the whole run.
    const order = [...files].filter(([handler]) => handler !== REFERENCE);
    const referenceEntry: [string, string] = [REFERENCE, files.get(REFERENCE)!];
    const round = order.flatMap((entry, i) => (i % REFERENCE_EVERY === 0 ? [referenceEntry, entry] : [entry]));
    for (let r = 0; r < rounds; r++) {
      await inParallel(round, PARALLEL, async ([handler, file]) => {
        samples.get(handler)!.push(await loadMs(file));
      });
    }

    const referenceMs = median(samples.get(REFERENCE)!);
    const rows = [...files].map(([handler, file]) => {
      const size = statSync(file).size;
      const loaded = median(samples.get(handler)!);
      return { handler, size, loaded, share: loaded / referenceMs };
    });
    rows.sort((a, b) => b.share - a.share);
    const functions = rows.filter((r) => r.handler !== REFERENCE);
    const worst = functions[0]!;
    const medianShare = median(functions.map((r) => r.share));
    const largest = functions.reduce((a, b) => (b.size > a.size ? b : a));
    const overLoad = functions.filter((r) => r.share > LOAD_TARGET);
    const overSize = functions.filter((r) => r.size > SIZE_LIMIT);
    return {
      title: 'Cold start: bundle size and load time vs a DocumentClient-only bundle',
      method:
        `${functions.length} bundles from one esbuild call (lib/bundle.ts, ${fixed(bundleSeconds, 1)} s), each loaded in a fresh ` +
        `\`node\` process ${rounds} times (${PARALLEL} at a time), median of the CPU time \`require()\` takes; the reference ` +
        `(bench/fixtures/baseline/document-client.ts, same build options) is loaded after every ${REFERENCE_EVERY} bundles in the same rounds ` +
        `(${samples.get(REFERENCE)!.length} samples). Each process gets the environment the stack gives a function: no NODE_OPTIONS, so ` +
        `no source map is parsed (with --enable-source-maps a median bundle's load grew from about 33 to 41 ms).`,
      headers: ['Bundle', 'Size (index.js)', 'Load, CPU (median)', 'vs reference', `Verdict (≤ ${LOAD_TARGET}×, ≤ 1 MB)`],
      rows: rows.map((r) =>
        r.handler === REFERENCE
          ? [`${r.handler} (reference)`, kib(r.size), ms(r.loaded), ratio(r.share), '']
          : [r.handler, kib(r.size), ms(r.loaded), ratio(r.share), verdict(r.share <= LOAD_TARGET && r.size <= SIZE_LIMIT)],
      ),
      targets: [
        {
          label: `the median bundle loads in ≤ ${MEDIAN_TARGET}× the reference`,
          measured: `median ${ratio(medianShare)} of ${functions.length} bundles`,
          met: medianShare <= MEDIAN_TARGET,
        },
        {
          label: `no bundle loads in over ${LOAD_TARGET}× the reference`,
          measured: `worst ${ratio(worst.share)} (${worst.handler}); ${overLoad.length} of ${functions.length} over`,
          met: overLoad.length === 0,
        },
        {
          label: 'no bundle over 1 MB',
          measured: `largest ${kib(largest.size)} (${largest.handler}); ${overSize.length} over`,
          met: overSize.length === 0,
        },
      ],
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
