/**
 * A simulated disk for one member. Writes land in a volatile queue; a sync makes everything
 * queued durable; a crash keeps only a random prefix of what was not synced (a write may reach
 * the platter before its fsync, never after a later one), as a real disk may. It can also stall.
 */
import type { DurableState, Entry, HardState, Snapshot } from '../consensus/index.js';
import { EMPTY_DURABLE_STATE } from '../consensus/index.js';
import type { Persist } from '../consensus/index.js';
import type { SeededRandom } from '../consensus/index.js';

export class SimDisk {
  private hardState: HardState = EMPTY_DURABLE_STATE.hardState;
  private snapshot: Snapshot | undefined;
  private entries: Entry[] = [];
  private volatile: Persist[] = [];
  /** Writes accepted so far, and how many of them are durable. */
  written = 0;
  synced = 0;
  /** While true, syncs do not complete. */
  stalled = false;
  /** Syncs completed (each may cover many writes: group commit). */
  syncs = 0;

  /** Queues a write; returns its sequence number. */
  write(persist: Persist): number {
    this.volatile.push(persist);
    this.written += 1;
    return this.written;
  }

  /** Makes the queued writes through sequence number `upTo` durable (one fsync). */
  sync(upTo: number = this.written): void {
    const count = upTo - this.synced;
    for (const persist of this.volatile.splice(0, count)) this.apply(persist);
    this.synced = Math.max(this.synced, upTo);
    this.syncs += 1;
  }

  /** Loses what was not synced, except a random prefix of it that happened to reach the disk. */
  crash(random: SeededRandom): number {
    const kept = random.int(this.volatile.length + 1);
    for (const persist of this.volatile.slice(0, kept)) this.apply(persist);
    const lost = this.volatile.length - kept;
    this.volatile = [];
    this.written = this.synced = 0;
    this.stalled = false;
    return lost;
  }

  /** What a restarting member reads. */
  load(): DurableState {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: [...this.entries] };
  }

  /** The last durable entry (index, term), or the snapshot's point. */
  lastDurable(): { index: number; term: number; snapshotIndex: number } {
    const last = this.entries[this.entries.length - 1];
    const snapshotIndex = this.snapshot?.meta.index ?? 0;
    return last === undefined
      ? { index: snapshotIndex, term: this.snapshot?.meta.term ?? 0, snapshotIndex }
      : { index: last.index, term: last.term, snapshotIndex };
  }

  durableTerm(): number {
    return this.hardState.term;
  }

  private apply(persist: Persist): void {
    if (persist.snapshot !== undefined) {
      const { index, term } = persist.snapshot.meta;
      const base = this.snapshot?.meta.index ?? 0;
      const atIndex = this.entries[index - base - 1];
      // Our own compaction keeps the entries after the point; a leader's snapshot replaces all.
      this.entries = atIndex?.term === term ? this.entries.slice(index - base) : [];
      this.snapshot = persist.snapshot;
    }
    const first = persist.entries[0];
    if (first !== undefined) {
      const base = this.snapshot?.meta.index ?? 0;
      const keep = first.index - base - 1;
      if (keep < 0) throw new Error(`entries from ${first.index} fall before snapshot ${base}`);
      if (keep > this.entries.length) throw new Error(`gap before entry ${first.index}`);
      this.entries.length = keep;
      for (const entry of persist.entries) this.entries.push(entry);
    }
    if (persist.hardState !== undefined) this.hardState = persist.hardState;
  }
}
