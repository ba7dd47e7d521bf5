/**
 * The leader's queue of ReadIndex reads (§6.4). Each read records the commit index when it
 * arrived and a round number; a heartbeat carries the latest round, and a follower's answer
 * acknowledges every read of that round or earlier. Once a majority of voters (the leader
 * included) has acknowledged a read, the leader was still leader after the read arrived, and
 * the read may be served at its index: that read and every earlier one are released, in order.
 */
import { assert } from './assert.js';
import { countVoters, quorumSize } from './quorum.js';
import type { ReadState } from './ready.js';
import type { NodeId } from './types.js';

interface PendingRead {
  readonly context: number;
  readonly index: number;
  readonly round: number;
  readonly acks: Set<NodeId>;
}

/** Reads waiting for a majority to confirm the leadership they were read under. */
export class ReadIndexQueue {
  private reads: PendingRead[] = [];
  /** The latest round handed out; heartbeats carry it. */
  round = 0;

  get size(): number {
    return this.reads.length;
  }

  /** Queues a read at `index`, acknowledged by the leader `self`; returns what it releases. */
  add(context: number, index: number, self: NodeId, voters: readonly NodeId[]): ReadState[] {
    const last = this.reads[this.reads.length - 1];
    assert(last === undefined || last.index <= index, 'read indexes never decrease');
    this.round += 1;
    this.reads.push({ context, index, round: this.round, acks: new Set() });
    return this.ack(self, this.round, voters);
  }

  /** Records that `from` answered a heartbeat of `round`; returns the reads now confirmed. */
  ack(from: NodeId, round: number, voters: readonly NodeId[]): ReadState[] {
    let confirmed = -1;
    for (const [position, read] of this.reads.entries()) {
      if (read.round > round) break;
      read.acks.add(from);
      if (countVoters(voters, read.acks) >= quorumSize(voters)) confirmed = position;
    }
    return this.reads.splice(0, confirmed + 1).map(({ context, index }) => ({ context, index }));
  }

  /** Drops every pending read (this member stopped leading: their clients will retry). */
  clear(): void {
    this.reads = [];
    this.round = 0;
  }
}
