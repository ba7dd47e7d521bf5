/**
 * A simulated disk for one member. Writes land in a volatile queue; a sync makes everything
 * queued durable; a crash keeps only a random prefix of what was not synced (a write may reach
 * the platter before its fsync, never after a later one), and may tear the next write part-way
 * through a record, as a real disk may. It can also stall.
 *
 * What is durable is kept twice: as the state it stands for, and as the bytes the real durable
 * log would hold (consensus/log-records.ts frames). A restart reads the bytes back with the real
 * recovery rules (cut a torn tail, refuse damage, replay) and checks that they give the same
 * state: the simulator exercises the on-disk format and its recovery on every crash.
 */
import {
  EMPTY_DURABLE_STATE,
  encodeRecord,
  replayRecords,
  scanSegment,
  type DurableState,
  type Entry,
  type HardState,
  type Persist,
  type SeededRandom,
  type Snapshot,
} from '../consensus/index.js';
import { InvariantViolation } from './invariants.js';

/** One member's simulated disk. */
export class SimDisk {
  private hardState: HardState = EMPTY_DURABLE_STATE.hardState;
  private snapshot: Snapshot | undefined;
  private entries: Entry[] = [];
  /** The log's durable bytes, as the frames written (a torn one last, after a crash). */
  private frames: Uint8Array[] = [];
  private volatile: Persist[] = [];
  /** Writes accepted so far, and how many of them are durable. */
  written = 0;
  synced = 0;
  /** While true, syncs do not complete. */
  stalled = false;
  /** Syncs completed (each may cover many writes: group commit). */
  syncs = 0;
  /** Bytes of torn records cut off at restarts, and how many crashes tore a record. */
  tornBytes = 0;
  tornWrites = 0;

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

  /**
   * Loses what was not synced, except a random prefix of it that happened to reach the disk,
   * and possibly the first bytes of the write after that prefix. Returns how many writes were
   * lost.
   */
  crash(random: SeededRandom): number {
    const kept = random.int(this.volatile.length + 1);
    for (const persist of this.volatile.slice(0, kept)) this.apply(persist);
    const torn = this.volatile[kept];
    if (torn !== undefined && torn.snapshot === undefined && random.chance(0.9)) {
      const bytes = this.encode(torn)[0];
      if (bytes !== undefined) {
        this.frames.push(bytes.subarray(0, random.int(bytes.length)));
        this.tornWrites += 1;
      }
    }
    const lost = this.volatile.length - kept;
    this.volatile = [];
    this.written = this.synced = 0;
    this.stalled = false;
    return lost;
  }

  /**
   * What a restarting member reads: the durable bytes, recovered by the real rules, checked
   * against the state they stand for.
   */
  load(): DurableState {
    const bytes = concat(this.frames);
    const scan = scanSegment(bytes);
    if (scan.bad?.goodFrameAfter === true) {
      throw new InvariantViolation(
        `durable log damaged inside: ${scan.bad.reason} at ${scan.bad.offset}`,
      );
    }
    this.tornBytes += bytes.length - scan.goodBytes;
    this.frames = [bytes.subarray(0, scan.goodBytes)];
    const recovered = replayRecords(this.snapshot, scan.records);
    if (!recovered.ok)
      throw new InvariantViolation(`durable log does not recover: ${recovered.reason}`);
    const state = recovered.state;
    const same =
      state.hardState.term === this.hardState.term &&
      state.hardState.vote === this.hardState.vote &&
      state.hardState.commit === this.hardState.commit &&
      state.entries.length === this.entries.length &&
      state.entries.every(
        (entry, i) =>
          entry.index === this.entries[i]?.index && entry.term === this.entries[i]?.term,
      );
    if (!same)
      throw new InvariantViolation('the durable bytes recover a different state than was written');
    return state;
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

  /** The frames a write puts in the log, in order (the snapshot itself goes to its own file). */
  private encode(persist: Persist): Uint8Array[] {
    const frames: Uint8Array[] = [];
    if (persist.snapshot !== undefined) {
      const { index, term } = persist.snapshot.meta;
      frames.push(encodeRecord({ type: 'snapshotMark', index, term }));
    }
    if (persist.entries.length > 0)
      frames.push(encodeRecord({ type: 'entries', entries: persist.entries }));
    if (persist.hardState !== undefined)
      frames.push(encodeRecord({ type: 'hardState', hardState: persist.hardState }));
    return frames;
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
    if (persist.snapshot !== undefined) {
      // As the segment log does after a snapshot: older segments go, a new one opens with the
      // hard state and the mark (here the remaining entries are rewritten with them).
      const { index, term } = persist.snapshot.meta;
      this.frames = [
        encodeRecord({ type: 'hardState', hardState: this.hardState }),
        encodeRecord({ type: 'snapshotMark', index, term }),
      ];
      if (this.entries.length > 0)
        this.frames.push(encodeRecord({ type: 'entries', entries: this.entries }));
    } else {
      this.frames.push(...this.encode(persist));
    }
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}
