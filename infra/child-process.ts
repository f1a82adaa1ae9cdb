import type { ChildProcess } from 'node:child_process';

/** Sends `signal` and waits for the exit; SIGKILL after `graceMs` if the process is still there. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const forceKill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(forceKill);
      done();
    });
    child.kill(signal);
  });
}
