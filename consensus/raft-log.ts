/**
 * A member's view of the replicated log in memory: the snapshot it starts from, the entries
 * after it, how far those are durable here (`stableIndex`) and how far they are known committed.
 * It holds the Log Matching Property (§5.3) as assertions: entries are contiguous, terms never
 * decrease along the log, and nothing at or below the commit index is ever overwritten.
 */
import { assert } from './assert.js';
import type { Entry, SnapshotMeta } from './types.js';

/** The in-memory log of one member, with its commit and stable indexes. */
export class RaftLog {
  /** Index and term of the last entry the snapshot covers (0, 0 before any). */
  snapshotIndex = 0;
  snapshotTerm = 0;
  /** Entries snapshotIndex+1 … lastIndex(). */
  private entries: Entry[] = [];
  /** The highest index known committed (§5.3). Never decreases within a run. */
  commit = 0;
  /** The highest index known durable on this member's disk. */
  stableIndex = 0;
  /** The lowest index changed since the last `takeUnstable`, or Infinity. */
  private dirtyFrom = Infinity;
  /** Indexes of the config entries held, ascending. */
  private configs: number[] = [];

  /** Starts from a durable state: everything in it is stable. */
  static restore(
    snapshot: SnapshotMeta | undefined,
    entries: readonly Entry[],
    commit: number,
  ): RaftLog {
    const log = new RaftLog();
    if (snapshot !== undefined) {
      log.snapshotIndex = snapshot.index;
      log.snapshotTerm = snapshot.term;
    }
    for (const [offset, entry] of entries.entries()) {
      assert(entry.index === log.snapshotIndex + 1 + offset, 'restored entries are contiguous');
    }
    log.entries = [...entries];
    log.configs = entries.filter((entry) => entry.type === 'config').map((entry) => entry.index);
    log.stableIndex = log.lastIndex();
    log.commit = Math.min(Math.max(commit, log.snapshotIndex), log.lastIndex());
    return log;
  }

  lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** The term of the entry at `index`; undefined when compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapshotIndex - 1]?.term;
  }

  entry(index: number): Entry | undefined {
    return index > this.snapshotIndex ? this.entries[index - this.snapshotIndex - 1] : undefined;
  }

  /** Entries [from, to] (inclusive), at most `max` of them; all must still be in memory. */
  slice(from: number, to: number, max = Infinity): Entry[] {
    assert(
      from > this.snapshotIndex,
      () => `slice from ${from} is compacted (${this.snapshotIndex})`,
    );
    const end = Math.min(to, this.lastIndex(), from + max - 1);
    return this.entries.slice(from - this.snapshotIndex - 1, end - this.snapshotIndex);
  }

  /** Indexes of the config entries still held (after the snapshot), ascending. */
  configIndexes(): readonly number[] {
    return this.configs;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /**
   * §5.4.1: a candidate's log is at least as up-to-date as this one when its last term is
   * greater, or equal with a last index at least as large.
   */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return (
      lastTerm > this.lastTerm() || (lastTerm === this.lastTerm() && lastIndex >= this.lastIndex())
    );
  }

  /** Appends one entry at the end (a leader's proposal). */
  push(entry: Entry): void {
    assert(entry.index === this.lastIndex() + 1, 'a pushed entry extends the log');
    assert(entry.term >= this.lastTerm(), 'terms never decrease along the log');
    this.entries.push(entry);
    if (entry.type === 'config') this.configs.push(entry.index);
    this.dirtyFrom = Math.min(this.dirtyFrom, entry.index);
  }

  /**
   * Takes entries a leader sent after an entry that matched: skips those already present,
   * truncates at the first conflict and appends the rest (§5.3, receiver steps 3 and 4).
   * Returns the first index changed, or undefined when nothing changed.
   */
  appendFromLeader(entries: readonly Entry[]): number | undefined {
    let first: number | undefined;
    for (const entry of entries) {
      if (entry.index <= this.snapshotIndex) continue;
      const existing = this.term(entry.index);
      if (existing === entry.term) continue;
      if (first === undefined) {
        first = entry.index;
        assert(entry.index > this.commit, () => `overwriting committed index ${entry.index}`);
        this.entries.length = entry.index - this.snapshotIndex - 1;
        this.configs = this.configs.filter((index) => index < entry.index);
        this.stableIndex = Math.min(this.stableIndex, entry.index - 1);
      }
      this.push(entry);
    }
    return first;
  }

  /** Marks entries through (index, term) durable, if the log still holds that entry. */
  markStable(index: number, term: number): void {
    if (this.term(index) === term && index > this.stableIndex) this.stableIndex = index;
  }

  commitTo(index: number): boolean {
    if (index <= this.commit) return false;
    assert(
      index <= this.lastIndex(),
      () => `commit ${index} beyond last index ${this.lastIndex()}`,
    );
    this.commit = index;
    return true;
  }

  /** Drops entries through `index` once a snapshot covers them. */
  compact(index: number, term: number): void {
    if (index <= this.snapshotIndex) return;
    assert(this.term(index) === term, 'compaction point is in the log');
    this.entries = this.entries.slice(index - this.snapshotIndex);
    this.configs = this.configs.filter((at) => at > index);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
  }

  /** Replaces the whole log by a snapshot from the leader (§7: "discard the entire log"). */
  resetTo(meta: SnapshotMeta): void {
    assert(meta.index > this.commit, 'a snapshot replaces only uncommitted state');
    this.entries = [];
    this.configs = [];
    this.snapshotIndex = meta.index;
    this.snapshotTerm = meta.term;
    this.commit = meta.index;
    this.stableIndex = Math.min(this.stableIndex, meta.index);
    this.dirtyFrom = Infinity;
  }

  /** The entries changed since the last call, to persist (they overwrite from their index on). */
  takeUnstable(): Entry[] {
    if (this.dirtyFrom === Infinity) return [];
    const from = Math.max(this.dirtyFrom, this.snapshotIndex + 1);
    this.dirtyFrom = Infinity;
    return from > this.lastIndex() ? [] : this.slice(from, this.lastIndex());
  }

  /**
   * The largest index at or below `index` whose term is at most `term`, for fast backtracking:
   * no entry above it can match a log whose entry at `index` has `term`.
   */
  findConflictByTerm(index: number, term: number): number {
    let at = Math.min(index, this.lastIndex());
    while (at > this.snapshotIndex) {
      const atTerm = this.term(at);
      if (atTerm !== undefined && atTerm <= term) return at;
      at -= 1;
    }
    return this.snapshotIndex;
  }
}
