/**
 * The SDK's way to time and randomness, injected like the node's Env so that a simulator can run
 * the same client code on its own clock. realClientEnv is the real one.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ClosedError } from './errors.js';

/** A periodic timer that can be stopped. */
export interface Ticker {
  stop(): void;
}

/** Time and randomness as the SDK uses them. */
export interface ClientEnv {
  /** Milliseconds since the Unix epoch (a writer's event time). */
  nowMs(): number;
  /** A uniform draw from [0, 1), for backoff jitter. */
  random(): number;
  /** A new random id (a writer's id when none is given). */
  randomId(): string;
  /**
   * Resolves after `ms`; rejects with ClosedError when `signal` aborts first. The wait keeps the
   * process alive: a write in backoff must not be dropped by the process exiting.
   */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Calls `tick` every `ms` until stopped; never keeps the process alive by itself. */
  every(ms: number, tick: () => void): Ticker;
}

/** Wall clock, crypto randomness and Node timers. */
export const realClientEnv: ClientEnv = {
  nowMs: () => Date.now(),
  random: () => crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32,
  randomId: () => randomUUID(),
  sleep: async (ms, signal) => {
    try {
      await delay(ms, undefined, { signal });
    } catch {
      throw new ClosedError('the cluster connection');
    }
  },
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  },
};
