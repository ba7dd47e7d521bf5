/**
 * A member's durable Raft state on append-only segment files, with group commit.
 *
 * Layout of the directory: `log-00000001.seg`, `log-00000002.seg`, … hold framed, checksummed
 * records (consensus/log-records.ts) in the order they were written; `snapshot.bin` holds the
 * newest snapshot, replaced atomically (write a temporary file, fsync, rename, fsync the
 * directory). At start-up a bad frame with nothing good after it at the end of the last segment
 * is a torn write and is cut off; any other damage refuses to start (`CorruptLogError`).
 *
 * Group commit: appends queue while a write+fdatasync runs; the next round writes everything
 * queued in one write and one fdatasync, and every append in it resolves together.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encodeRecord,
  replayRecords,
  scanSegment,
  type DurableState,
  type HardState,
  type LogRecord,
  type Persist,
  type Snapshot,
} from '../../consensus/index.js';
import { syncDirectory } from '../env/sync-directory.js';
import { CorruptLogError, CorruptSnapshotError, LogClosedError } from './errors.js';

/** Tuning of the segment log. */
export interface SegmentLogOptions {
  /** A segment is closed and a new one started once it grows past this many bytes. */
  readonly segmentBytesMax?: number;
}

/** What start-up found. */
export interface RecoveryReport {
  readonly segments: number;
  /** Bytes cut off the end of the last segment (a torn write); 0 after a clean stop. */
  readonly tornBytes: number;
  readonly tornReason: string | undefined;
}

/** Counters for tests, benchmarks and metrics. */
export interface SegmentLogStats {
  appends: number;
  syncs: number;
  bytesWritten: number;
}

interface Segment {
  readonly seq: number;
  readonly path: string;
  maxIndex: number;
}

interface Pending {
  readonly frames: Uint8Array[];
  readonly snapshot: Snapshot | undefined;
  readonly maxIndex: number;
  readonly done: { resolve: () => void; reject: (error: unknown) => void } | undefined;
}

const SNAPSHOT_FILE = 'snapshot.bin';
/**
 * Segments are written with O_DSYNC: each write returns once its data is on stable storage, as
 * a write followed by fdatasync would, in one system call instead of two.
 */
const APPEND_FLAGS =
  constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;
const SEGMENT_NAME = /^log-(\d{8})\.seg$/;

/** One member's durable log directory: open it, append to it, close it. */
export class SegmentLog {
  readonly stats: SegmentLogStats = { appends: 0, syncs: 0, bytesWritten: 0 };
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private failed: unknown;
  private closed = false;
  private hardState: HardState;

  private constructor(
    private readonly dir: string,
    private readonly segments: Segment[],
    private handle: FileHandle,
    private size: number,
    /** What was on disk at start-up. */
    readonly state: DurableState,
    readonly recovery: RecoveryReport,
    private readonly segmentBytesMax: number,
  ) {
    this.hardState = state.hardState;
  }

  /** Opens (creating if needed) the log in `dir` and recovers its state. */
  static async open(dir: string, options: SegmentLogOptions = {}): Promise<SegmentLog> {
    await mkdir(dir, { recursive: true });
    await rm(join(dir, `${SNAPSHOT_FILE}.tmp`), { force: true });
    const snapshot = await readSnapshot(dir);
    const names = (await readdir(dir)).filter((name) => SEGMENT_NAME.test(name)).sort();
    const segments: Segment[] = [];
    const records: LogRecord[] = [];
    let tornBytes = 0;
    let tornReason: string | undefined;
    for (const [position, name] of names.entries()) {
      const path = join(dir, name);
      const bytes = await readFile(path);
      const scan = scanSegment(bytes);
      if (scan.bad !== undefined) {
        const last = position === names.length - 1;
        if (!last || scan.bad.goodFrameAfter) {
          throw new CorruptLogError(
            `${path}: ${scan.bad.reason} at byte ${scan.bad.offset} of ${bytes.length}, with good records ` +
              `after it: data that was durable is damaged; refusing to start (rebuild this member from a peer)`,
          );
        }
        tornBytes = bytes.length - scan.goodBytes;
        tornReason = scan.bad.reason;
        await truncateFile(path, scan.goodBytes);
      }
      records.push(...scan.records);
      segments.push({
        seq: Number(SEGMENT_NAME.exec(name)?.[1]),
        path,
        maxIndex: maxEntryIndex(scan.records),
      });
    }
    const recovered = replayRecords(snapshot, records);
    if (!recovered.ok) throw new CorruptLogError(`${dir}: ${recovered.reason}; refusing to start`);
    let current = segments[segments.length - 1];
    if (current === undefined) {
      current = { seq: 1, path: join(dir, segmentName(1)), maxIndex: 0 };
      segments.push(current);
    }
    const handle = await open(current.path, APPEND_FLAGS);
    const size = (await handle.stat()).size;
    await syncDirectory(dir);
    return new SegmentLog(
      dir,
      segments,
      handle,
      size,
      recovered.state,
      { segments: names.length, tornBytes, tornReason },
      options.segmentBytesMax ?? 64 * 1024 * 1024,
    );
  }

  /**
   * Queues what a Ready asks to persist; resolves once it is durable. Appends resolve in the
   * order they were made.
   */
  append(persist: Persist): Promise<void> {
    if (this.closed || this.failed !== undefined) {
      return Promise.reject(
        new LogClosedError(`the log in ${this.dir} is ${this.closed ? 'closed' : 'failed'}`),
      );
    }
    this.stats.appends += 1;
    if (persist.snapshot !== undefined) {
      this.queue.push({ frames: [], snapshot: persist.snapshot, maxIndex: 0, done: undefined });
    }
    const frames: Uint8Array[] = [];
    const last = persist.entries[persist.entries.length - 1];
    if (last !== undefined)
      frames.push(encodeRecord({ type: 'entries', entries: persist.entries }));
    if (persist.hardState !== undefined) {
      this.hardState = persist.hardState;
      frames.push(encodeRecord({ type: 'hardState', hardState: persist.hardState }));
    }
    const promise = new Promise<void>((resolve, reject) => {
      this.queue.push({
        frames,
        snapshot: undefined,
        maxIndex: last?.index ?? 0,
        done: { resolve, reject },
      });
    });
    this.flushing ??= this.flush();
    return promise;
  }

  /** Waits for queued appends, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.handle.close();
  }

  private async flush(): Promise<void> {
    let batch: Pending[] = [];
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0];
        if (head?.snapshot !== undefined) {
          this.queue.shift();
          await this.writeSnapshot(head.snapshot);
          continue;
        }
        const end = this.queue.findIndex((item) => item.snapshot !== undefined);
        batch = this.queue.splice(0, end === -1 ? this.queue.length : end);
        await this.writeBatch(
          batch.flatMap((item) => item.frames),
          batch.reduce((max, item) => Math.max(max, item.maxIndex), 0),
        );
        for (const item of batch) item.done?.resolve();
        batch = [];
      }
    } catch (error) {
      this.failed = error;
      for (const item of [...batch, ...this.queue.splice(0)]) item.done?.reject(error);
    } finally {
      this.flushing = undefined;
    }
  }

  /** One synchronous write for every frame queued: the group commit. */
  private async writeBatch(frames: Uint8Array[], maxIndex: number): Promise<void> {
    if (frames.length > 0) {
      const buffer = frames.length === 1 ? (frames[0] as Uint8Array) : Buffer.concat(frames);
      await this.handle.write(buffer, 0, buffer.length);
      this.size += buffer.length;
      this.stats.bytesWritten += buffer.length;
      this.stats.syncs += 1; // the O_DSYNC write was the sync
      const current = this.segments[this.segments.length - 1];
      if (current !== undefined) current.maxIndex = Math.max(current.maxIndex, maxIndex);
    }
    if (this.size >= this.segmentBytesMax) await this.roll();
  }

  /**
   * Replaces the snapshot file atomically, marks the point in the log, starts a new segment and
   * deletes the segments the snapshot covers entirely.
   */
  private async writeSnapshot(snapshot: Snapshot): Promise<void> {
    const path = join(this.dir, SNAPSHOT_FILE);
    const temporary = `${path}.tmp`;
    const file = await open(temporary, 'w');
    try {
      const bytes = encodeRecord({ type: 'snapshot', snapshot });
      await file.write(bytes, 0, bytes.length, 0);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    await syncDirectory(this.dir);
    const { index, term } = snapshot.meta;
    await this.writeBatch([encodeRecord({ type: 'snapshotMark', index, term })], 0);
    await this.roll();
    for (const segment of this.segments.slice(0, -1)) {
      if (segment.maxIndex <= index) {
        await rm(segment.path, { force: true });
        this.segments.splice(this.segments.indexOf(segment), 1);
      }
    }
    await syncDirectory(this.dir);
  }

  /** Starts a new segment, opening it with the current hard state. */
  private async roll(): Promise<void> {
    const last = this.segments[this.segments.length - 1];
    const seq = (last?.seq ?? 0) + 1;
    const segment: Segment = { seq, path: join(this.dir, segmentName(seq)), maxIndex: 0 };
    await this.handle.close();
    this.handle = await open(segment.path, APPEND_FLAGS);
    this.segments.push(segment);
    this.size = 0;
    await syncDirectory(this.dir);
    await this.writeBatch([encodeRecord({ type: 'hardState', hardState: this.hardState })], 0);
  }
}

async function readSnapshot(dir: string): Promise<Snapshot | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, SNAPSHOT_FILE));
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')
      return undefined;
    throw error;
  }
  const scan = scanSegment(bytes);
  const record = scan.records[0];
  if (scan.bad !== undefined || scan.records.length !== 1 || record?.type !== 'snapshot') {
    throw new CorruptSnapshotError(
      `${join(dir, SNAPSHOT_FILE)}: ${scan.bad?.reason ?? 'not exactly one snapshot record'}; refusing to start`,
    );
  }
  return record.snapshot;
}

function maxEntryIndex(records: readonly LogRecord[]): number {
  let max = 0;
  for (const record of records) {
    if (record.type === 'entries')
      max = Math.max(max, record.entries[record.entries.length - 1]?.index ?? 0);
  }
  return max;
}

function segmentName(seq: number): string {
  return `log-${String(seq).padStart(8, '0')}.seg`;
}

async function truncateFile(path: string, length: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    await file.truncate(length);
    await file.sync();
  } finally {
    await file.close();
  }
}
