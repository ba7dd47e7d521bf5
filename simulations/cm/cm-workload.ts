/**
 * Writers and readers of a consistency-manager simulation. A volume is cut into cells (256-byte
 * runs); every write fills whole cells with its own id, so that any byte read names the write
 * that put it there. Each writer routes to the owner from the map it last saw, follows NOT_OWNER
 * answers, and retries an unknown outcome with the same writer sequence (retry = true), as the
 * SDK does. Every operation's start, end and outcome is recorded for the checker.
 */
import { cmSetOf, owner, stripeKey } from '../../placement/index.js';
import { CmError, StripeUnavailableError } from '../../node/cm/errors.js';
import type { StripeReadResult, StripeWriteResult } from '../../node/cm/requests.js';
import type { Version } from '../../node/store/version.js';
import { VOLUME, type CmWorld, type SimCmNode } from './cm-world.js';

export const CELL_BYTES = 256;

/** One write as the checker sees it. */
export interface WriteRecord {
  readonly id: number;
  readonly writerId: string;
  readonly writerSeq: number;
  /** First cell and number of cells. */
  readonly cell: number;
  readonly cells: number;
  readonly issuedAtMs: number;
  finishedAtMs: number;
  /** acked: every piece acknowledged; unknown: it may have landed; failed: it did not. */
  outcome: 'pending' | 'acked' | 'unknown' | 'failed';
  /** The acknowledged version of each data fragment piece (by fragment index). */
  versions: Map<number, Version>;
  attempts: number;
}

/** How a write is sent (scenario tests use these; random runs use the defaults). */
export interface WriteOptions {
  /** Send the first attempt here instead of to the owner the map names. */
  readonly target?: string;
  /** Attempts before giving up (default 30). */
  readonly attemptsMax?: number;
  /** Send this earlier write again, with its writer sequence and bytes, as a retry. */
  readonly again?: WriteRecord;
}

/** One read: the write id found in each cell. */
export interface ReadRecord {
  readonly cell: number;
  readonly values: number[];
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}

/** Operations seen by the checker. */
export interface History {
  readonly writes: Map<number, WriteRecord>;
  readonly reads: ReadRecord[];
}

const ATTEMPTS_MAX = 30;

/** The writers and readers of one run. */
export class Workload {
  readonly history: History = { writes: new Map(), reads: [] };
  private nextWriteId = 1;
  private readonly client: SimCmNode;
  stopped = false;

  constructor(
    private readonly world: CmWorld,
    private readonly stripes: number,
  ) {
    const placeholder = world.nodes.values().next().value!.store;
    this.client = {
      id: 'client',
      store: placeholder,
      db: world.nodes.values().next().value!.db,
      incarnation: 0,
      up: true,
      cm: null,
      view: world.map.current,
    };
  }

  get cellsPerStripe(): number {
    const volume = this.world.volume;
    return (volume.k * volume.blockBytes) / CELL_BYTES;
  }

  /** Starts `writers` writers, each writing (and sometimes reading) until stopped. */
  start(writers: number): void {
    for (let writer = 0; writer < writers; writer++) void this.writerLoop(`w${writer + 1}`);
  }

  private async writerLoop(writerId: string): Promise<void> {
    let seq = 0;
    while (!this.stopped) {
      const random = this.world.random;
      if (random.chance(0.25)) await this.read(this.randomRange());
      else if (random.chance(0.2)) {
        // A burst, as a streaming writer sends: whole blocks one after another, all in flight
        // at once (the owner may carry several of them in one update).
        const bursts = this.burstRanges();
        await Promise.all(bursts.map((range) => this.write(writerId, ++seq, range)));
      } else {
        seq += 1;
        await this.write(writerId, seq, this.randomRange());
      }
      await this.sleep(this.world.delay([0, 20]));
    }
  }

  /** A random run of cells inside one stripe: often one block, sometimes part of one, sometimes across blocks. */
  randomRange(): { cell: number; cells: number } {
    const random = this.world.random;
    const perBlock = this.world.volume.blockBytes / CELL_BYTES;
    const stripe = random.int(this.stripes);
    const base = stripe * this.cellsPerStripe;
    const shape = random.int(3);
    if (shape === 0) {
      const block = random.int(this.world.volume.k);
      return { cell: base + block * perBlock, cells: perBlock };
    }
    if (shape === 1) {
      const start = random.int(this.cellsPerStripe);
      return {
        cell: base + start,
        cells: 1 + random.int(Math.min(4, this.cellsPerStripe - start)),
      };
    }
    const start = random.int(this.cellsPerStripe - 1);
    return {
      cell: base + start,
      cells: 2 + random.int(Math.min(perBlock + 2, this.cellsPerStripe - start - 1)),
    };
  }

  /** 2 to k whole blocks in a row inside one stripe. */
  burstRanges(): { cell: number; cells: number }[] {
    const random = this.world.random;
    const k = this.world.volume.k;
    const perBlock = this.world.volume.blockBytes / CELL_BYTES;
    const count = 2 + random.int(k - 1);
    const first = random.int(k - count + 1);
    const base = random.int(this.stripes) * this.cellsPerStripe;
    return Array.from({ length: count }, (_, at) => ({
      cell: base + (first + at) * perBlock,
      cells: perBlock,
    }));
  }

  /** Writes cells [cell, cell + cells) with a new id; resolves once its outcome is known or given up. */
  async write(
    writerId: string,
    writerSeq: number,
    range: { cell: number; cells: number },
    options: WriteOptions = {},
  ): Promise<WriteRecord> {
    const record: WriteRecord = options.again ?? {
      id: this.nextWriteId++,
      writerId,
      writerSeq,
      cell: range.cell,
      cells: range.cells,
      issuedAtMs: this.world.scheduler.nowMs,
      finishedAtMs: Infinity,
      outcome: 'pending',
      versions: new Map(),
      attempts: 0,
    };
    this.history.writes.set(record.id, record);
    const bytes = cellBytes(record.id, range.cells);
    let mayHaveLanded = options.again ? options.again.outcome !== 'failed' : false;
    record.outcome = 'pending';
    let target: string | null = options.target ?? null;
    const attemptsMax = record.attempts + (options.attemptsMax ?? ATTEMPTS_MAX);
    for (; record.attempts < attemptsMax; record.attempts++) {
      try {
        const result = await this.send<StripeWriteResult>(target, range.cell, (cm) =>
          cm.write({
            volume: VOLUME,
            offset: range.cell * CELL_BYTES,
            bytes,
            writer: {
              writerId,
              writerSeq,
              eventTimeMs: this.world.scheduler.nowMs,
              parts: 1 + this.world.volume.k,
              firstPart: 0,
            },
            retry: mayHaveLanded,
          }),
        );
        for (const piece of result.pieces) record.versions.set(piece.index, piece.version);
        record.outcome = 'acked';
        break;
      } catch (error) {
        const code = error instanceof CmError ? error.code : 'NETWORK';
        if (code === 'OUTCOME_UNKNOWN' || code === 'NETWORK') mayHaveLanded = true;
        target = code === 'NOT_OWNER' ? ((error as { owner?: string | null }).owner ?? null) : null;
        await this.sleep(this.world.delay(code === 'NOT_OWNER' ? [0, 5] : [10, 60]));
      }
    }
    if (record.outcome === 'pending') record.outcome = mayHaveLanded ? 'unknown' : 'failed';
    record.finishedAtMs = this.world.scheduler.nowMs;
    return record;
  }

  /** Reads cells [cell, cell + cells) through the owner; records what it found (retried until served). */
  async read(
    range: { cell: number; cells: number },
    attemptsMax = ATTEMPTS_MAX,
  ): Promise<ReadRecord | null> {
    const startedAtMs = this.world.scheduler.nowMs;
    let target: string | null = null;
    for (let attempt = 0; attempt < attemptsMax; attempt++) {
      try {
        const result = await this.send<StripeReadResult>(target, range.cell, (cm) =>
          cm.read({
            volume: VOLUME,
            offset: range.cell * CELL_BYTES,
            length: range.cells * CELL_BYTES,
          }),
        );
        const record: ReadRecord = {
          cell: range.cell,
          values: cellValues(result.bytes, range.cells),
          startedAtMs,
          endedAtMs: this.world.scheduler.nowMs,
        };
        this.history.reads.push(record);
        return record;
      } catch (error) {
        target =
          error instanceof CmError && error.code === 'NOT_OWNER'
            ? ((error as { owner?: string | null }).owner ?? null)
            : null;
        await this.sleep(this.world.delay([5, 40]));
      }
    }
    return null;
  }

  /** Sends to `target` or, when null, to the owner that the newest map names. */
  private send<T>(
    target: string | null,
    cell: number,
    run: (cm: NonNullable<SimCmNode['cm']>) => Promise<T>,
  ): Promise<T> {
    // Writers route by the map they last heard of: often the newest, sometimes a node's lagging view.
    const views = [...this.world.nodes.values()].map((node) => node.view);
    const state = this.world.random.chance(0.5)
      ? this.world.map.current
      : views[this.world.random.int(views.length)]!;
    const stripe = Math.floor(cell / this.cellsPerStripe);
    const newest = state.epochs[state.epochs.length - 1]!;
    const to = target ?? owner(stripeKey(VOLUME, stripe), cmSetOf(newest.epoch, newest.cmSet));
    if (!to) return Promise.reject(new StripeUnavailableError('no CM is up'));
    return this.world.call(
      this.client,
      to,
      () => {
        const cm = this.world.nodes.get(to)!.cm;
        return cm ? run(cm) : Promise.reject(new StripeUnavailableError(`${to} has no CM yet`));
      },
      { kind: 'cm' },
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.world.scheduler.after(ms, resolve));
  }
}

/** `cells` cells, each filled with `id` (little-endian uint32 words). */
export function cellBytes(id: number, cells: number): Uint8Array {
  const bytes = new Uint8Array(cells * CELL_BYTES);
  const view = new DataView(bytes.buffer);
  for (let at = 0; at < bytes.length; at += 4) view.setUint32(at, id, true);
  return bytes;
}

/** The write id of each cell, or -1 for a cell whose words disagree (a torn or corrupt cell). */
export function cellValues(bytes: Uint8Array, cells: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: cells }, (_, cell) => {
    const first = view.getUint32(cell * CELL_BYTES, true);
    for (let at = 4; at < CELL_BYTES; at += 4)
      if (view.getUint32(cell * CELL_BYTES + at, true) !== first) return -1;
    return first;
  });
}
