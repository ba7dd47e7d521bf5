/**
 * The durable Raft log's errors: one class per kind of failure, each with a stable `code`.
 * A corrupt log refuses to start rather than serve a wrong entry.
 */

/** Base of every error of the durable Raft log. */
export class RaftLogError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Damage inside data that was already durable (a bad record with good records after it, in an
 * older segment, or a log that no longer reaches its recorded commit index). Starting would
 * mean forgetting entries this member acknowledged, so it refuses; restore the member from a
 * peer (wipe its directory and add it back) or from a backup.
 */
export class CorruptLogError extends RaftLogError {
  constructor(message: string) {
    super('RAFT_LOG_CORRUPT', message);
  }
}

/** The snapshot file does not hold exactly one good snapshot record. */
export class CorruptSnapshotError extends RaftLogError {
  constructor(message: string) {
    super('RAFT_SNAPSHOT_CORRUPT', message);
  }
}

/** An append after close, or after a write failed (the log is then unusable). */
export class LogClosedError extends RaftLogError {
  constructor(message: string) {
    super('RAFT_LOG_CLOSED', message);
  }
}
