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
import type { Input, Ready, Status } from './ready.js';

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

/** A read answered under the lease. */
export interface LeasedRead {
  /** Every entry committed before the read is at or below it: read once it is applied. */
  readonly index: number;
  /**
   * Send a read round now to renew the lease (half of it is gone, and no renewal is in flight);
   * call `renewed()` when that round ends, confirmed or not.
   */
  readonly renew: boolean;
}

/**
 * One leader's lease, for whatever drives a Raft core (node/raft/raft-driver.ts on the real
 * clock, simulations/sim-node.ts on the simulated one): the driver passes every step through
 * `afterStep`, tries `read` before sending a read round, and calls `extend` when a round it
 * sent is confirmed.
 */
export class ReadLease {
  private term = 0;
  private untilMs = -Infinity;
  private renewing = false;

  constructor(readonly durationMs: number) {}

  /**
   * Answers a read under the lease if it holds for a leader of `status` at `nowMs`: the read is
   * proposed with `lease` through `step` (the driver's own step, which hands the Ready on), and
   * its index comes back. Undefined when the read needs a round.
   */
  read(
    nowMs: number,
    status: Status | undefined,
    step: (input: Input) => Ready | undefined,
  ): LeasedRead | undefined {
    if (status?.role !== 'leader' || !this.holds(nowMs, status.term)) return undefined;
    const outcome = step({
      type: 'propose',
      proposal: { kind: 'read', context: 0, lease: true },
    })?.outcome;
    if (outcome?.ok !== true) return undefined;
    const renew = !this.renewing && this.remainingMs(nowMs) < this.durationMs / 2;
    if (renew) this.renewing = true;
    return { index: outcome.index, renew };
  }

  /** The renewal round that `read` asked for has ended. */
  renewed(): void {
    this.renewing = false;
  }

  /**
   * Ends the lease on a membership change, proposed or committed: majorities change with the
   * configuration, and the lease is not carried across.
   */
  afterStep(input: Input, ready: Ready | undefined): void {
    const proposesConfig = input.type === 'propose' && input.proposal.kind === 'config';
    if (proposesConfig || ready?.committed.some((entry) => entry.type === 'config')) this.end();
  }

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

  /** Ends the lease at once (a membership change, a crash). */
  end(): void {
    this.untilMs = -Infinity;
    this.renewing = false;
  }
}
