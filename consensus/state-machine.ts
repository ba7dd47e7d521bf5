/**
 * The state machine that Raft replicates, pluggable: the driver applies each committed command
 * to it in log order, snapshots it to compact the log, and restores it from a snapshot sent by
 * the leader. It must be deterministic: the same commands from the same state give the same
 * results and the same snapshot bytes on every member (§5: "replicated state machines").
 */
export interface StateMachine<Result> {
  /** Applies the command of the committed entry at `index`; returns what the proposer sees. */
  apply(index: number, command: Uint8Array): Result;
  /** The whole state as bytes, as of the last applied index. */
  snapshot(): Uint8Array;
  /** Replaces the whole state with that of a snapshot. */
  restore(data: Uint8Array): void;
  /** A short fingerprint of the state, equal on members that applied the same commands. */
  digest(): string;
}
