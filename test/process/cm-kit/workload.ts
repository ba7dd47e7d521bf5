/**
 * Writers and readers of a process test, through the client SDK. Every write fills its range
 * with its own id in every 4-byte word (little-endian), so that any word read names the write
 * that put it there (0: never written). Each write's issue and finish times, its outcome and the
 * versions the SDK acknowledged per block are recorded for the checker (history-check.ts).
 */
import {
  connect,
  NotOwnerError,
  OutcomeUnknownError,
  TesseraError,
  UnavailableError,
  type Cluster,
  type FragmentVersion,
  type Volume,
} from '../../../client/index.js';
import { nowMs } from './progress.js';
import type { SeededRandom } from '../../../consensus/index.js';
import { TimedTransport, type CallRecord } from './timed-transport.js';

/** Every word of a write holds the write's id: the unit the checker compares. */
export const WORD_BYTES = 4;
/** Deadline of one Volumes call of a writer (the SDK's default). */
const CALL_DEADLINE_MS = 30_000;

/** One write as the checker sees it. */
export interface WriteRecord {
  readonly id: number;
  readonly writer: string;
  /** Byte offset and length in the volume, both multiples of WORD_BYTES. */
  readonly offset: number;
  readonly length: number;
  readonly issuedAtMs: number;
  finishedAtMs: number;
  /**
   * acked: every stripe acknowledged it; failed: the SDK says nothing of it was applied
   * (UNAVAILABLE from a CM, or NOT_OWNER, on every attempt); unknown: it may have landed.
   */
  outcome: 'pending' | 'acked' | 'unknown' | 'failed';
  /** The acknowledged version of each volume block it touched (acked writes only). */
  readonly versions: Map<number, FragmentVersion>;
  /** The code of the last error, for the report. */
  error?: string;
  /** Times it was sent again under its writer sequence after an unknown outcome. */
  resends: number;
}

/** One read: the word values it returned. */
export interface ReadRecord {
  readonly reader: string;
  readonly offset: number;
  readonly words: Uint32Array;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}

/** Everything the writers and readers did. */
export interface History {
  readonly writes: Map<number, WriteRecord>;
  readonly reads: ReadRecord[];
  /** Errors that are not a write's or read's expected failure (DATA_LOST, a short read…). */
  readonly alarms: string[];
}

/** The bytes of write `id`: `length` bytes of its id in every word. */
export function writeBytes(id: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let at = 0; at < length; at += WORD_BYTES) bytes.writeUInt32LE(id, at);
  return bytes;
}

/** The words of `bytes` (length a multiple of WORD_BYTES). */
export function wordsOf(bytes: Uint8Array): Uint32Array {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const words = new Uint32Array(bytes.length / WORD_BYTES);
  for (let at = 0; at < words.length; at++) words[at] = buffer.readUInt32LE(at * WORD_BYTES);
  return words;
}

/** What a workload writes over: the volume's geometry and how many stripes it uses. */
export interface WorkloadShape {
  readonly volume: string;
  readonly k: number;
  readonly blockBytes: number;
  readonly stripes: number;
}

/**
 * Random ranges in the first `stripes` stripes of a volume: a whole block, a short run of words
 * inside a block, or a run that crosses one or more block boundaries (now and then a stripe's).
 */
export function randomRange(
  shape: WorkloadShape,
  random: SeededRandom,
): { offset: number; length: number } {
  const { k, blockBytes, stripes } = shape;
  const blocks = stripes * k;
  const total = blocks * blockBytes;
  const kind = random.int(3);
  if (kind === 0) return { offset: random.int(blocks) * blockBytes, length: blockBytes };
  const words = blockBytes / WORD_BYTES;
  if (kind === 1) {
    const block = random.int(blocks);
    const start = random.int(words);
    const length = 1 + random.int(Math.min(256, words - start));
    return { offset: block * blockBytes + start * WORD_BYTES, length: length * WORD_BYTES };
  }
  // Across at least one block boundary, up to two blocks long.
  const boundary = 1 + random.int(blocks - 1);
  const before = 1 + random.int(words);
  const after = 1 + random.int(words);
  const offset = boundary * blockBytes - before * WORD_BYTES;
  return { offset, length: Math.min((before + after) * WORD_BYTES, total - offset) };
}

/** A writer: one SDK connection with its own writer id. */
export class Writer {
  private constructor(
    readonly name: string,
    readonly cluster: Cluster,
    readonly volume: Volume,
    private readonly history: History,
    private readonly nextId: () => number,
  ) {}

  /** Connects as writer `name`; every Volumes call it makes is recorded in `calls`. */
  static async open(
    name: string,
    seeds: readonly string[],
    volume: string,
    history: History,
    nextId: () => number,
    calls: CallRecord[] = [],
  ): Promise<Writer> {
    const cluster = await connect({
      seeds,
      transport: new TimedTransport(CALL_DEADLINE_MS, calls),
      writerId: name,
      writerSeqFirst: 1,
      mapRefreshMs: 500,
      retry: { attemptsMax: 12, backoffMsMin: 50, backoffMsMax: 2_000 },
    });
    try {
      return new Writer(name, cluster, await cluster.openVolume(volume), history, nextId);
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  /**
   * Writes a new id over [offset, offset + length). An unknown outcome is sent again with the
   * same writer sequence (as docs/client.md says a writer should) up to `resendsMax` times.
   */
  async write(offset: number, length: number, resendsMax = 2): Promise<WriteRecord> {
    const record: WriteRecord = {
      id: this.nextId(),
      writer: this.name,
      offset,
      length,
      issuedAtMs: nowMs(),
      finishedAtMs: Infinity,
      outcome: 'pending',
      versions: new Map(),
      resends: 0,
    };
    this.history.writes.set(record.id, record);
    const bytes = writeBytes(record.id, length);
    const blockBytes = this.volume.info.blockBytes;
    const k = this.volume.info.k;
    let writerSeq: number | undefined;
    for (;;) {
      try {
        const result = await this.volume.write(
          offset,
          bytes,
          writerSeq === undefined ? {} : { writerSeq },
        );
        for (const stripe of result.stripes)
          for (const piece of stripe.pieces)
            record.versions.set(stripe.stripe * k + piece.index, piece.version);
        record.outcome = 'acked';
        break;
      } catch (error) {
        record.error = error instanceof TesseraError ? error.code : String(error);
        if (error instanceof TesseraError && error.code === 'DATA_LOST')
          this.history.alarms.push(`write ${record.id}: ${error.message}`);
        const nothingApplied =
          writerSeq === undefined &&
          ((error instanceof UnavailableError && error.nothingApplied) ||
            error instanceof NotOwnerError);
        if (nothingApplied) {
          record.outcome = 'failed';
          break;
        }
        if (
          error instanceof OutcomeUnknownError &&
          error.writerSeq !== null &&
          record.resends < resendsMax
        ) {
          writerSeq = error.writerSeq;
          record.resends += 1;
          continue;
        }
        record.outcome = 'unknown';
        break;
      }
    }
    record.finishedAtMs = nowMs();
    // Sanity of what the SDK returned: one version per block the write touched.
    if (record.outcome === 'acked') {
      const first = Math.floor(offset / blockBytes);
      const last = Math.floor((offset + length - 1) / blockBytes);
      if (record.versions.size !== last - first + 1)
        this.history.alarms.push(
          `write ${record.id} over blocks ${first}..${last} was acknowledged with versions for blocks ${[...record.versions.keys()].join(', ')}`,
        );
    }
    return record;
  }

  /** Reads [offset, offset + length) and records the words; null when the read failed. */
  async read(offset: number, length: number): Promise<ReadRecord | null> {
    const startedAtMs = nowMs();
    try {
      const bytes = await this.volume.read(offset, length);
      const record: ReadRecord = {
        reader: this.name,
        offset,
        words: wordsOf(bytes),
        startedAtMs,
        endedAtMs: nowMs(),
      };
      this.history.reads.push(record);
      return record;
    } catch (error) {
      if (error instanceof TesseraError && error.code === 'DATA_LOST')
        this.history.alarms.push(`read [${offset}, ${offset + length}): ${error.message}`);
      return null;
    }
  }

  close(): Promise<void> {
    return this.cluster.close();
  }
}

/** A new, empty history and the id counter of its writes (ids from 1; 0 is "never written"). */
export function newHistory(): { history: History; nextId: () => number } {
  let next = 1;
  return { history: { writes: new Map(), reads: [], alarms: [] }, nextId: () => next++ };
}

/** Counts of a history's writes by outcome, for the progress lines. */
export function outcomeCounts(history: History): Record<WriteRecord['outcome'], number> {
  const counts = { pending: 0, acked: 0, unknown: 0, failed: 0 };
  for (const write of history.writes.values()) counts[write.outcome] += 1;
  return counts;
}
