/**
 * A DynamoDB Local started by a test run or by `npm start` dies with its parent, even after SIGKILL,
 * so repeated runs on one machine do not pile up JVMs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
// Far above the normal time (the watchdog reacts at once, the JVM stops in well under a second).
const DEADLINE_MS = 60_000;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + DEADLINE_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

it('ends the JVM when the process that started it is killed with SIGKILL', async () => {
  // Prepare: a parent that starts DynamoDB Local, prints the JVM's pid and waits
  const script = "require('./lib/local/dynamodb-local.ts').startDynamoDbLocal().then((d) => { console.log('PID ' + d.pid); setInterval(() => {}, 1000); });";
  const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + DEADLINE_MS;
  while (!/PID \d+/.test(output) && parent.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const pid = Number(/PID (\d+)/.exec(output)?.[1]);
  expect(pid).toBeGreaterThan(0);
  expect(alive(pid)).toBe(true);

  // Act
  parent.kill('SIGKILL');
  await once(parent, 'exit');

  // Assess
  expect(await gone(pid)).toBe(true);
}, 3 * DEADLINE_MS);
