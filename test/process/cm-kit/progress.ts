/**
 * Progress lines of the process tests: each with the seconds since the test file loaded, so that a
 * failed run's output reads as a timeline beside the nodes' logs.
 */
import { performance } from 'node:perf_hooks';

const startedMs = Date.now();

/** Prints one progress line: `[  12.3 s] message`. */
export function log(message: string): void {
  const seconds = ((Date.now() - startedMs) / 1000).toFixed(1).padStart(6);
  console.log(`      [${seconds} s] ${message}`);
}

/** Monotonic milliseconds, for the times recorded in a history. */
export function nowMs(): number {
  return performance.now();
}
