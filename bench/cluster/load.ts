/**
 * A closed-loop load: `inflight` workers, each issuing one operation, waiting for it and issuing
 * the next, until a duration or a count is reached. Every completed operation's latency is kept;
 * throughput counts completed operations over the time until the last one settled.
 */

/** The outcome of a load. */
export interface LoadResult {
  operations: number;
  /** Payload bytes of the completed operations. */
  bytes: number;
  seconds: number;
  /** Latencies of completed operations, ms, ascending. */
  latenciesMs: number[];
  failures: number;
  firstFailure: string | null;
}

/** Failures after which a load gives up (the cluster is broken, not slow). */
const FAILURES_MAX = 50;

/**
 * Runs `operation(i)` for i = 0, 1, … with `inflight` at once, for `durationMs` or until
 * `countMax` operations were issued (or `operation` returns null: nothing left to do).
 */
export async function runLoad(options: {
  inflight: number;
  durationMs: number;
  countMax?: number;
  operation: (i: number) => { bytes: number; run: () => Promise<unknown> } | null;
}): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let issued = 0;
  let bytes = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  let done = false;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (!done && performance.now() - started < options.durationMs) {
      if (options.countMax !== undefined && issued >= options.countMax) return;
      const next = options.operation(issued++);
      if (!next) return void (done = true);
      const began = performance.now();
      try {
        await next.run();
        latenciesMs.push(performance.now() - began);
        bytes += next.bytes;
      } catch (error) {
        failures++;
        firstFailure ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if (failures >= FAILURES_MAX) {
          done = true;
          throw new Error(`${failures} operations failed; the first: ${firstFailure}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: options.inflight }, worker));
  latenciesMs.sort((a, b) => a - b);
  return {
    operations: latenciesMs.length,
    bytes,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
    failures,
    firstFailure,
  };
}

/** The `fraction` quantile of ascending `values` (0 for none). */
export function quantile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return 0;
  return values[Math.min(values.length - 1, Math.floor(values.length * fraction))]!;
}

/** A small seeded generator (mulberry32), so that a run's block choices replay. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
