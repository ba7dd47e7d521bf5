/**
 * A leader's read lease (§6.4.1 of the Raft thesis): after a majority has acknowledged a round of
 * heartbeats that the leader sent at time t, no other member can become leader before t plus
 * the minimum election timeout, because every member of that majority refuses votes for that
 * long after hearing from the leader (raft.ts, acceptHigherTerm, CheckQuorum on; and a member
 * that restarts refuses them for as long, raft.ts quietTicks). Until then the leader may answer
 * a read at its commit index with no round of its own.
 *
 * The lease is timed on the leader's monotonic clock, read when the read arrives, never counted
 * in ticks: a leader whose process stalled ticks late, and would believe its lease younger than
 * it is. The margin covers followers whose timers run fast against the leader's clock. Any doubt
 * ends the lease (a new term, a membership change): the next read pays for a round again.
 */

/** How long a lease lasts, from the rounds' sending, for a given Raft timing. */
export function leaseDurationMs(options: {
  /** Milliseconds per tick. */
  tickMs: number;
  /** The minimum election timeout, in ticks. */
  electionTimeoutTicks: number;
  /** How much faster than the leader's any member's timers may run (0.25: up to 25 % faster). */
  clockRateErrorMax?: number;
}): number {
  const rate = 1 + (options.clockRateErrorMax ?? 0.25);
  // A member's election timer counts ticks from the heartbeat on; its first tick may come at once,
  // so it waits at least electionTimeoutTicks - 1 whole ticks, on its own clock.
  return Math.max(0, ((options.electionTimeoutTicks - 1) * options.tickMs) / rate);
}

export class ReadLease {
  private term = 0;
  private untilMs = -Infinity;

  constructor(readonly durationMs: number) {}

  /**
   * A round of heartbeats sent at `sentMs`, while leading in `term`, was acknowledged by a
   * majority: the lease runs until `sentMs + durationMs` (never shorter than it was in that term).
   */
  extend(sentMs: number, term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.untilMs = -Infinity;
    }
    this.untilMs = Math.max(this.untilMs, sentMs + this.durationMs);
  }

  /** Whether a read at `nowMs`, by a leader of `term`, may be answered under the lease. */
  holds(nowMs: number, term: number): boolean {
    return this.durationMs > 0 && term === this.term && nowMs < this.untilMs;
  }

  /** Milliseconds left at `nowMs` (0 once it has run out). */
  remainingMs(nowMs: number): number {
    return Math.max(0, this.untilMs - nowMs);
  }

  /** Ends the lease at once (a membership change, leadership lost). */
  end(): void {
    this.untilMs = -Infinity;
  }
}
