/**
 * Ties a child process's life to this one's, even when this process dies by SIGKILL (no exit handler
 * runs then). A tiny watchdog process holds the read end of a pipe from us; the kernel closes the
 * write end whatever way we die, the watchdog reads end-of-file and ends the child. The watchdog
 * leaves by itself once the child is gone, so a normal stop leaves nothing behind either.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const WATCHDOG_SOURCE = `
const pid = Number(process.argv[1]);
const gone = () => { try { process.kill(pid, 0); return false; } catch { return true; } };
const end = () => {
  try { process.kill(pid, 'SIGTERM'); } catch {}
  setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }, 5000);
};
process.stdin.on('end', end);
process.stdin.on('error', end);
process.stdin.resume();
setInterval(() => { if (gone()) process.exit(0); }, 1000);
`;

/** Starts a watchdog that ends `child` (SIGTERM, then SIGKILL after 5 s) when this process dies. */
export function endWithThisProcess(child: ChildProcess): ChildProcess | undefined {
  if (child.pid === undefined) return undefined;
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? '' },
  });
  // Neither the watchdog nor its pipe may keep this process's event loop alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}
