/**
 * Assertions for bugs. A failed assertion means the core's own invariants broke: it throws at
 * once (always on, in production too) rather than letting a wrong log reach the disk or a peer.
 * Expected outcomes (not the leader, a learner behind) are returned values, never assertions.
 */

/** Thrown when an invariant of the consensus core does not hold: a bug, never an input error. */
export class ConsensusAssertionError extends Error {
  readonly code = 'CONSENSUS_ASSERTION';
  constructor(message: string) {
    super(message);
    this.name = 'ConsensusAssertionError';
  }
}

/** Stops with `message` unless `condition` holds. */
export function assert(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new ConsensusAssertionError(typeof message === 'string' ? message : message());
  }
}
