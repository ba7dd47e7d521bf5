/**
 * A leader's replication to its followers and learners (§5.3, §7): what it knows of each one's
 * log (`Progress`), the appends it sends (a batch at a time, at most `inflightMax` unanswered
 * in replicate state, one probe at a time otherwise), how it backs up on a mismatch, and the
 * InstallSnapshot it sends in chunks to one whose entries were compacted away. The decisions
 * that need the whole member (commitment, leadership transfer, reads) stay in raft.ts; this
 * module only keeps the books and writes the messages.
 */
import { assert } from './assert.js';
import type { AppendResponse, ImmediateMessage, SnapshotResponse } from './messages.js';
import {
  becomeProbe,
  becomeReplicate,
  freeInflight,
  isPaused,
  newProgress,
  type Progress,
} from './progress.js';
import type { RaftLog } from './raft-log.js';
import type { NodeId, Snapshot } from './types.js';

/** What replication needs from the member it runs in. */
export interface ReplicationContext {
  readonly id: NodeId;
  readonly log: RaftLog;
  readonly inflightMax: number;
  readonly batchEntriesMax: number;
  readonly snapshotChunkBytes: number;
  /** Ticks without an answer after which a snapshot chunk is sent again. */
  readonly snapshotRetryTicks: number;
  term(): number;
  /** The newest snapshot the member holds, for followers behind the compacted log. */
  snapshot(): Snapshot | undefined;
  send(message: ImmediateMessage): void;
}

/** The leader's books on every other member, and the messages that keep them in step. */
export class Replicator {
  private readonly peers = new Map<NodeId, Progress>();

  constructor(private readonly context: ReplicationContext) {}

  /** Every tracked member's progress. */
  all(): IterableIterator<Progress> {
    return this.peers.values();
  }

  get(id: NodeId): Progress | undefined {
    return this.peers.get(id);
  }

  /** The highest index known to match on `id` (0 when unknown or untracked). */
  matchOf(id: NodeId): number {
    return this.peers.get(id)?.match ?? 0;
  }

  /** Forgets everyone (this member stopped leading). */
  clear(): void {
    this.peers.clear();
  }

  /** A new leader knows nothing: probe everyone from just after its last entry (§5.3). */
  reset(members: readonly NodeId[], next: number): void {
    this.peers.clear();
    this.track(members, next);
  }

  /** Follows a configuration change: start tracking new members, drop removed ones. */
  track(members: readonly NodeId[], next: number): void {
    for (const member of members) {
      if (member !== this.context.id && !this.peers.has(member))
        this.peers.set(member, newProgress(member, next));
    }
    for (const id of [...this.peers.keys()]) if (!members.includes(id)) this.peers.delete(id);
  }

  // ---- activity (CheckQuorum, §6.2) -----------------------------------------------------------

  isActive(id: NodeId): boolean {
    return this.peers.get(id)?.recentActive === true;
  }

  markActive(id: NodeId): Progress | undefined {
    const progress = this.peers.get(id);
    if (progress !== undefined) progress.recentActive = true;
    return progress;
  }

  resetActivity(): void {
    for (const progress of this.peers.values()) progress.recentActive = false;
  }

  // ---- appends ------------------------------------------------------------------------------

  broadcastAppend(): void {
    for (const progress of this.peers.values()) this.sendAppend(progress, true);
  }

  /**
   * Tells followers a new commit index: at once to those with nothing in flight; the others
   * learn it from their next append or heartbeat, which saves a message per commit under load.
   */
  broadcastCommit(): void {
    for (const progress of this.peers.values()) {
      if (progress.inflight.length === 0) this.sendAppend(progress, true);
    }
  }

  /**
   * Sends `progress` the entries from its next index, a batch at a time; a snapshot instead when
   * they are compacted away. Returns without sending when the follower is paused (a probe is out
   * or the window of in-flight appends is full) or, unless `sendIfEmpty`, when there is nothing
   * new.
   */
  sendAppend(progress: Progress, sendIfEmpty: boolean): void {
    const { log } = this.context;
    if (isPaused(progress, this.context.inflightMax)) return;
    const prevIndex = progress.next - 1;
    const prevTerm = log.term(prevIndex);
    if (prevTerm === undefined) {
      this.startSnapshot(progress);
      return;
    }
    const entries =
      progress.next <= log.lastIndex()
        ? log.slice(progress.next, log.lastIndex(), this.context.batchEntriesMax)
        : [];
    if (entries.length === 0 && !sendIfEmpty) return;
    const last = entries[entries.length - 1];
    if (progress.state === 'replicate' && last !== undefined) {
      progress.next = last.index + 1;
      progress.inflight.push(last.index);
    } else if (progress.state === 'probe') {
      progress.probeSent = true;
    }
    progress.sentCommit = Math.max(
      progress.sentCommit,
      Math.min(log.commit, prevIndex + entries.length),
    );
    this.context.send({
      type: 'append',
      from: this.context.id,
      to: progress.id,
      term: this.context.term(),
      prevIndex,
      prevTerm,
      entries,
      commit: log.commit,
    });
  }

  /** Records a successful append; returns whether the follower's match index moved. */
  onAppendAccepted(progress: Progress, matchIndex: number): boolean {
    if (matchIndex <= progress.match) {
      if (progress.state === 'probe') progress.probeSent = false;
      return false;
    }
    progress.match = matchIndex;
    progress.next = Math.max(progress.next, progress.match + 1);
    freeInflight(progress, progress.match);
    if (progress.state !== 'replicate') becomeReplicate(progress);
    return true;
  }

  /**
   * A follower refused an append: its log does not hold (prevIndex, prevTerm). Back up past
   * whole terms using its hint (the last entry it holds whose term is at most the leader's),
   * ignoring answers to appends that were already superseded, and probe again.
   */
  onAppendRejected(progress: Progress, response: AppendResponse): void {
    if (response.rejectedIndex === 0) return; // a stale-term answer, handled by its term
    if (progress.state === 'replicate') {
      if (response.rejectedIndex <= progress.match) return; // stale
      progress.next = progress.match + 1;
    } else {
      if (response.rejectedIndex !== progress.next - 1) return; // stale
      const probe =
        response.hintTerm > 0
          ? this.context.log.findConflictByTerm(response.hintIndex, response.hintTerm)
          : response.hintIndex;
      progress.next = Math.max(Math.min(response.rejectedIndex, probe + 1), progress.match + 1);
    }
    becomeProbe(progress);
    this.sendAppend(progress, true);
  }

  // ---- heartbeats ---------------------------------------------------------------------------

  broadcastHeartbeat(readRound: number): void {
    const { log } = this.context;
    for (const progress of this.peers.values()) {
      this.context.send({
        type: 'heartbeat',
        from: this.context.id,
        to: progress.id,
        term: this.context.term(),
        // Only what the follower is known to hold may be committed there.
        commit: Math.min(progress.match, log.commit),
        readRound,
      });
    }
  }

  /** A follower answered a heartbeat: it is alive, so let a lost probe or append go again. */
  onHeartbeatAnswered(progress: Progress): void {
    progress.probeSent = false;
    if (progress.state === 'replicate' && progress.inflight.length >= this.context.inflightMax) {
      progress.inflight.shift(); // an answer may have been lost: let one more append out
    }
    if (progress.match < this.context.log.lastIndex()) this.sendAppend(progress, true);
  }

  // ---- snapshots (§7) -----------------------------------------------------------------------

  /** Resends the current chunk to followers that have not answered for a while. */
  tickSnapshots(): void {
    for (const progress of this.peers.values()) {
      if (progress.state === 'snapshot' && progress.snapshot !== undefined) {
        progress.snapshot.elapsedTicks += 1;
        if (progress.snapshot.elapsedTicks >= this.context.snapshotRetryTicks)
          this.sendSnapshotChunk(progress);
      }
    }
  }

  onSnapshotAnswered(progress: Progress, response: SnapshotResponse): void {
    if (response.done) {
      if (response.snapshotIndex > progress.match) progress.match = response.snapshotIndex;
      progress.next = Math.max(progress.next, progress.match + 1);
      if (progress.state === 'snapshot') {
        progress.next = progress.match + 1;
        becomeProbe(progress);
        this.sendAppend(progress, true);
      }
      return;
    }
    const sending = progress.snapshot;
    if (progress.state !== 'snapshot' || sending?.index !== response.snapshotIndex) return;
    sending.offset = response.nextOffset;
    this.sendSnapshotChunk(progress);
  }

  private startSnapshot(progress: Progress): void {
    const snapshot = this.context.snapshot();
    assert(snapshot !== undefined, 'entries are compacted only into a snapshot');
    progress.state = 'snapshot';
    progress.inflight = [];
    progress.snapshot = { index: snapshot.meta.index, offset: 0, elapsedTicks: 0 };
    this.sendSnapshotChunk(progress);
  }

  private sendSnapshotChunk(progress: Progress): void {
    const snapshot = this.context.snapshot();
    const sending = progress.snapshot;
    assert(snapshot !== undefined && sending !== undefined, 'a snapshot is being sent');
    if (sending.index !== snapshot.meta.index) {
      sending.index = snapshot.meta.index; // a newer snapshot replaced it: start over
      sending.offset = 0;
    }
    sending.elapsedTicks = 0;
    const end = Math.min(sending.offset + this.context.snapshotChunkBytes, snapshot.data.length);
    this.context.send({
      type: 'snapshot',
      from: this.context.id,
      to: progress.id,
      term: this.context.term(),
      meta: snapshot.meta,
      offset: sending.offset,
      data: snapshot.data.subarray(sending.offset, end),
      done: end === snapshot.data.length,
      totalBytes: snapshot.data.length,
    });
  }
}
