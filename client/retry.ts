/**
 * How the SDK retries a stripe request: a bounded number of attempts with exponential backoff and
 * jitter between them. Every retry of a write keeps its writer sequence.
 */

/** The retry bounds of one stripe request. */
export interface RetryPolicy {
  /** Attempts in all, the first included (>= 1). */
  readonly attemptsMax: number;
  /** The pause after the first failed attempt; it doubles per attempt. */
  readonly backoffMsMin: number;
  /** The longest pause between two attempts. */
  readonly backoffMsMax: number;
}

/** Ten attempts: about 7 to 14 s of backoff in all before an error surfaces. */
export const RETRY_DEFAULTS: RetryPolicy = {
  attemptsMax: 10,
  backoffMsMin: 50,
  backoffMsMax: 4_000,
};

/** The pause after failed attempt `attempt` (0-based): doubling, capped, with jitter in [½, 1). */
export function backoffMs(policy: RetryPolicy, attempt: number, random: number): number {
  const ceiling = Math.min(policy.backoffMsMax, policy.backoffMsMin * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + random / 2));
}

/** Checks a policy given by a caller; throws a RangeError naming the bad bound. */
export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  if (!Number.isInteger(policy.attemptsMax) || policy.attemptsMax < 1)
    throw new RangeError(`retry.attemptsMax must be an integer >= 1, got ${policy.attemptsMax}`);
  if (!(policy.backoffMsMin >= 0) || !(policy.backoffMsMax >= policy.backoffMsMin))
    throw new RangeError(
      `retry backoff must satisfy 0 <= backoffMsMin <= backoffMsMax, got ${policy.backoffMsMin} and ${policy.backoffMsMax}`,
    );
  return policy;
}
