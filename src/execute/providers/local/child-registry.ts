/**
 * Every child process the local stack starts (replicas, Prometheus, node_exporter) is registered here, and all of
 * them are killed when this process exits — normally, through process.exit, or on SIGINT/SIGTERM — so no run leaves
 * servers behind. Replicas also exit by themselves when their IPC channel to us closes (a SIGKILL of this process).
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let installed = false;

/** Tracks `child` until it exits. */
export function trackChild(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Children still running (for tests: nothing may survive a teardown). */
export function trackedChildren(): readonly ChildProcess[] {
  return [...children];
}

function killAll(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  children.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      killAll();
      // Nobody else handles the signal: keep its default meaning (terminate) instead of swallowing it.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.once(sig, onSignal);
  }
}
