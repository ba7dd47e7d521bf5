/**
 * The fragment store: one node's fragments of every stripe, with versions, registries, fences and
 * history, on any abstract-level store (classic-level/LevelDB by default, memory-level in the
 * simulator, a RocksDB binding by configuration). See DESIGN.md, "The write path", step 1:
 *
 * - A stamped write applies only if the fragment is at exactly its expected version, and its
 *   bytes, version, registry, history record and outcome are committed in one batch, fsynced
 *   (group-committed) before the reply.
 * - The same stamp repeated returns the recorded outcome and changes nothing; the same stamp with
 *   other bytes (another digest) is refused.
 * - A write stamped with an ownership epoch older than the stripe's fence is refused; a fence is
 *   durable before it is acknowledged. Operations on one stripe run one at a time, so a fence
 *   never overtakes a write that checked the old fence.
 * - A version's bytes are written once, in its record; the current bytes are read through the
 *   fragment's index (history-index.ts), which names the record (or the base) that holds each
 *   range. There is no second copy of the current bytes to keep in step.
 * - Every record and base carries a CRC32C; a mismatch is a ChecksumMismatchError, never bytes.
 */
import { gfMulXor } from '../../erasure/index.js';
import {
  ChecksumMismatchError,
  InvalidRequestError,
  StoreFullError,
  VersionNotFoundError,
} from './errors.js';
import { GroupCommitter, type BatchOperation } from './group-commit.js';
import { baseIndex, overlay, type IndexRange } from './history-index.js';
import { KeyedMutex } from './keyed-mutex.js';
import { RecordCache } from './record-cache.js';
import { joinedValue, valueLength, type Level, type StorageStats } from './level.js';
import {
  decodeBase,
  decodeJson,
  decodeRecord,
  decodeRecordHeader,
  decodeBaseHeader,
  encodeBase,
  encodeJson,
  encodeRecordKept,
  foldedWritersOf,
  fragmentOfMetaKey,
  keys,
  type FragmentMeta,
  type RecordKind,
  type VersionRecord,
} from './store-codec.js';
import {
  checkBytes,
  checkDigest,
  checkFragment,
  checkInteger,
  checkRange,
  checkRegistry,
  checkStamped,
  checkVersion,
  sameDigest,
  type DataWrite,
  type ParityWrite,
  type StampedWrite,
  type WholeWrite,
} from './store-requests.js';
import {
  compareVersions,
  foldWriters,
  formatFragment,
  sameVersion,
  VERSION_ZERO,
  type FoldedWriter,
  type FragmentId,
  type Version,
  type WriterStamp,
  parseVersionKey,
  formatVersion,
  versionKey,
} from './version.js';

export type { Level };

/** Why a stamped write was not applied (nothing changed). */
export type Refusal =
  /** The fragment is below the expected version: it is stale and must be rebuilt whole first. */
  | 'behind'
  /** The fragment is above the expected version: the owner's view is wrong; recover the stripe. */
  | 'ahead'
  /** The stripe is fenced at a newer ownership epoch than the write's. */
  | 'fenced'
  /** This stamp was already applied with other bytes. */
  | 'stamp_conflict';

export type WriteOutcome<Extra> =
  | ({ ok: true; version: Version; repeated: boolean } & Extra)
  | { ok: false; reason: Refusal; current: Version; fenceEpoch: number };

export interface FragmentStoreOptions {
  /** The database: the segment store, or an abstract-level one with utf8 keys and 'view' values. */
  db: Level;
  /** fsync every commit (default true; false only for tests that measure without the disk). */
  sync?: boolean;
  /** Refuse writes once the store holds this many bytes (default: no quota, only the disk). */
  quotaBytes?: number;
  /**
   * Bytes of recent records kept in memory for the writes over them (record-cache.ts; default
   * 32 MiB, 0 keeps none). Reads for clients, repair and scrubbing always go to the disk.
   */
  recordCacheBytes?: number;
}

/** The default of FragmentStoreOptions.recordCacheBytes. */
export const RECORD_CACHE_BYTES = 32 << 20;

/** A fragment as read: its bytes over the range asked for, and its state. */
export interface FragmentRead {
  bytes: Uint8Array;
  version: Version;
  registry: Version[] | null;
  settled: Version;
}

/**
 * One version in a fragment's history. `damaged`: the version is there but its record cannot be
 * read (it fails its checksum on disk); a repair expects it and rewrites the fragment.
 */
export interface HistoryEntry {
  version: Version;
  kind: RecordKind | 'base' | 'damaged';
  writer: WriterStamp | null;
  /** Other writer parts the version carries (StampedWrite.alsoWriters). */
  alsoWriters?: WriterStamp[];
  /**
   * The registry the version was written with (a parity's; a data fragment's when one update wrote
   * several data fragments): a recovery that reads a parity from before a version proved never
   * acknowledged needs what that earlier version named. For the base, its version's registry when
   * the fold kept it.
   */
  registry?: Version[];
  /**
   * For the base: the writers folded into it, each with its highest sequence folded, so that a
   * late retry of a write whose record the retention sweep folded away is not taken for a write
   * that never landed (mayBeFolded).
   */
  foldedWriters?: FoldedWriter[];
  eventTimeMs: number;
}

export class FragmentStore {
  private readonly locks = new KeyedMutex();
  private readonly committer: GroupCommitter;
  private readonly quotaBytes: number;
  private usedBytes = 0;
  private readonly recent: RecordCache;
  /**
   * Metadata decoded, by the value it was decoded from: the segment store hands back the same
   * array for a key until it is written again, so a fragment's metadata is parsed once per write,
   * not at every access. Shared: never changed (a write puts a new value).
   */
  private readonly decodedMeta = new WeakMap<Uint8Array, FragmentMeta>();

  private constructor(
    private readonly db: Level,
    options: FragmentStoreOptions,
  ) {
    this.committer = new GroupCommitter(db, options.sync ?? true);
    this.quotaBytes = options.quotaBytes ?? Number.POSITIVE_INFINITY;
    this.recent = new RecordCache(options.recordCacheBytes ?? RECORD_CACHE_BYTES);
  }

  /** Opens the store (and its database) and measures what it holds. */
  static async open(options: FragmentStoreOptions): Promise<FragmentStore> {
    if (options.db.status !== 'open') await options.db.open();
    const store = new FragmentStore(options.db, options);
    if (options.db.liveBytes) store.usedBytes = options.db.liveBytes();
    else
      for await (const [key, value] of options.db.iterator())
        store.usedBytes += key.length + value.length;
    return store;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Bytes the store holds (keys and values), as counted for the quota. */
  get bytesUsed(): number {
    return this.usedBytes;
  }

  /** The database's files and compaction, where it reports them (the segment store does). */
  get storageStats(): StorageStats | undefined {
    return this.db.stats;
  }

  /** The write path's record cache: hits and misses so far, and the bytes it holds now. */
  get recordCacheStats(): { hits: number; misses: number; bytes: number } {
    return { hits: this.recent.hits, misses: this.recent.misses, bytes: this.recent.heldBytes };
  }

  /** Commits (groups, batches) so far: batches / groups is how many writes one fsync served. */
  get commitStats(): { groups: number; batches: number } {
    return { groups: this.committer.groups, batches: this.committer.batches };
  }

  /** New bytes for a range of a data fragment; returns the delta (old xor new) of that range. */
  async writeData(request: DataWrite): Promise<WriteOutcome<{ delta: Uint8Array }>> {
    checkStamped(request);
    checkBytes('bytes', request.bytes);
    checkRange('bytes', request.offset, request.bytes.length, request.blockBytes);
    const payloadCrc = checkDigest(request.bytes, request.digest);
    if (request.registry !== undefined) checkRegistry(request.registry, false);
    return this.stamped(
      request,
      'data',
      request.bytes,
      async (meta) => {
        const { fragment, offset, bytes } = request;
        const old = await this.readIndexed(fragment, meta, meta.index, offset, bytes.length, true);
        return {
          start: offset,
          bytes,
          payloadCrc, // the record's payload is the bytes the digest was checked on
          owned: keepsLittleElse(bytes), // DataWrite.bytes are given to the store
          // A data fragment's registry is its current version's update's, if that named one.
          registry: request.registry ?? null,
          extra: { delta: xorInto(old, bytes) },
        };
      },
      // A repeat: the outcome is old xor new, the old bytes read through the index it was written over.
      async (record, meta) => {
        const { previousIndex, start } = record.header;
        const old = await this.readIndexed(
          request.fragment,
          meta,
          previousIndex,
          start,
          record.bytes.length,
          true,
        );
        return { delta: xorInto(old, record.bytes) };
      },
    );
  }

  /** A parity delta for a range: parity ^= coefficient·delta, with the stripe's new registry. */
  async applyParity(request: ParityWrite): Promise<WriteOutcome<object>> {
    checkStamped(request);
    checkBytes('delta', request.delta);
    checkRange('delta', request.offset, request.delta.length, request.blockBytes);
    checkInteger('coefficient', request.coefficient, 1, 255);
    checkRegistry(request.registry, false);
    checkDigest(request.delta, request.digest);
    return this.stamped(
      request,
      'parity',
      request.delta,
      async (meta) => {
        const { fragment, offset, delta } = request;
        const parity = await this.readIndexed(
          fragment,
          meta,
          meta.index,
          offset,
          delta.length,
          true,
        );
        gfMulXor(parity, delta, request.coefficient);
        return {
          start: offset,
          bytes: parity,
          owned: true,
          registry: request.registry,
          extra: {},
        };
      },
      () => Promise.resolve({}),
    );
  }

  /** A whole fragment: a rebuild, a repair, or a stripe encoded in one go. */
  async writeWhole(request: WholeWrite): Promise<WriteOutcome<object>> {
    checkStamped(request);
    checkBytes('bytes', request.bytes);
    if (request.bytes.length !== request.blockBytes) {
      throw new InvalidRequestError(
        'bytes',
        `a whole fragment has ${request.blockBytes} bytes, got ${request.bytes.length}`,
      );
    }
    checkRegistry(request.registry, true);
    const payloadCrc = checkDigest(request.bytes, request.digest);
    return this.stamped(
      request,
      'whole',
      request.bytes,
      () =>
        Promise.resolve({
          start: 0,
          bytes: request.bytes,
          payloadCrc,
          registry: request.registry,
          extra: {},
        }),
      () => Promise.resolve({}),
    );
  }

  /** The current bytes of [offset, offset + length) (default: the whole fragment) and state. */
  async read(
    fragment: FragmentId,
    blockBytes: number,
    offset = 0,
    length = blockBytes - offset,
    /** A fragment never written (version 0.0) comes back with no bytes (zeros: they are zeros). */
    options: { zerosUnsent?: boolean } = {},
  ): Promise<FragmentRead & { zeros?: boolean }> {
    checkFragment(fragment);
    checkInteger('blockBytes', blockBytes, 1, 64 << 20);
    checkRange('read', offset, length, blockBytes);
    const meta = await this.meta(fragment, blockBytes);
    const state = { version: meta.version, registry: meta.registry, settled: meta.settled };
    if (options.zerosUnsent && compareVersions(meta.version, VERSION_ZERO) === 0)
      return { bytes: new Uint8Array(0), zeros: true, ...state };
    const bytes = await this.readIndexed(fragment, meta, meta.index, offset, length);
    return { bytes, ...state };
  }

  /** The bytes of [offset, offset + length) exactly as `version` left them, from history. */
  async readVersion(
    fragment: FragmentId,
    blockBytes: number,
    version: Version,
    offset = 0,
    length = blockBytes - offset,
  ): Promise<Uint8Array> {
    checkFragment(fragment);
    checkVersion('version', version);
    checkRange('read', offset, length, blockBytes);
    const meta = await this.meta(fragment, blockBytes);
    if (sameVersion(version, meta.version))
      return this.readIndexed(fragment, meta, meta.index, offset, length);
    if (sameVersion(version, meta.baseVersion))
      return this.readIndexed(fragment, meta, baseIndex(blockBytes), offset, length);
    const record = await this.record(fragment, version);
    if (!record)
      throw new VersionNotFoundError(formatFragment(fragment), `${version.epoch}.${version.seq}`);
    return this.readIndexed(fragment, meta, record.header.index, offset, length);
  }

  /** The fragment's versions, oldest first: the base (if any history was folded), then records. */
  async history(fragment: FragmentId): Promise<HistoryEntry[]> {
    checkFragment(fragment);
    const entries: HistoryEntry[] = [];
    const damaged = (version: Version): HistoryEntry => ({
      version,
      kind: 'damaged',
      writer: null,
      eventTimeMs: 0,
    });
    const base = await readable(this.db.get(keys.base(fragment)));
    if (base === 'damaged') {
      const meta = decodeJson<FragmentMeta>((await this.db.get(keys.meta(fragment)))!);
      entries.push(damaged(meta.baseVersion));
    } else if (base) {
      const header = decodeBaseHeader(base);
      const foldedWriters = foldedWritersOf(header);
      entries.push({
        version: header.version,
        kind: 'base',
        writer: null,
        eventTimeMs: header.eventTimeMs,
        ...(foldedWriters.length > 0 ? { foldedWriters } : {}),
        ...(header.registry ? { registry: header.registry } : {}),
      });
    }
    const prefix = keys.recordPrefix(fragment);
    for await (const key of this.db.keys({ gte: prefix, lt: `${prefix}~` })) {
      const value = await readable(this.db.get(key));
      if (value === 'damaged') entries.push(damaged(parseVersionKey(key.slice(prefix.length))));
      else if (value) {
        const header = decodeRecordHeader(value);
        entries.push({
          version: header.version,
          kind: header.kind,
          writer: header.writer,
          ...(header.alsoWriters ? { alsoWriters: header.alsoWriters } : {}),
          ...(header.registry ? { registry: header.registry } : {}),
          eventTimeMs: header.writer.eventTimeMs,
        });
      }
    }
    return entries;
  }

  /**
   * Fences a stripe at an ownership epoch and, optionally, a seq: from the moment this resolves
   * (durably), writes to the stripe stamped with a version at or below (epoch, seq) are refused,
   * so that a new owner (epoch) and an owner recovering its own stripe (its epoch and the
   * highest seq it issued) shut out every write issued before. Returns the fence's epoch now in
   * force (a fence never moves back).
   */
  async fence(volume: string, stripe: number, epoch: number, seq = 0): Promise<number> {
    checkFragment({ volume, stripe, index: 0 });
    checkInteger('epoch', epoch, 0, 2 ** 32 - 1);
    checkInteger('seq', seq, 0, 2 ** 52 - 1);
    return this.locks.run(`${volume}!${stripe}`, async () => {
      const current = await this.fenceVersion(volume, stripe);
      if (compareVersions({ epoch, seq }, current) <= 0) return current.epoch;
      await this.commit([
        { type: 'put', key: keys.fence(volume, stripe), value: encodeJson({ epoch, seq }) },
      ]);
      return epoch;
    });
  }

  /** The stripe's fence epoch (0 when never fenced). */
  async fenceEpoch(volume: string, stripe: number): Promise<number> {
    return (await this.fenceVersion(volume, stripe)).epoch;
  }

  /** The stripe's fence as a version (epoch, seq); (0, 0) when never fenced. */
  async fenceVersion(volume: string, stripe: number): Promise<Version> {
    const value = await this.db.get(keys.fence(volume, stripe));
    return value ? fenceOf(value) : VERSION_ZERO;
  }

  /** Records the stripe's newest settled version on a fragment (the owner's settle message). */
  async markSettled(fragment: FragmentId, blockBytes: number, settled: Version): Promise<void> {
    checkFragment(fragment);
    checkVersion('settled', settled);
    await this.locks.run(stripeKey(fragment), async () => {
      const meta = await this.meta(fragment, blockBytes);
      if (compareVersions(settled, meta.settled) <= 0) return;
      await this.commit([
        { type: 'put', key: keys.meta(fragment), value: encodeJson({ ...meta, settled }) },
      ]);
    });
  }

  /**
   * The fragment's history as stored, to copy with it when it moves or is rebuilt (DESIGN.md: a
   * fragment rebuilt whole gets its history copied). Values keep their CRC32Cs and are checked
   * here: damage is an error, never copied. Versions in `skip` (aborted ones) are left out, and
   * so is every version that reads bytes from one left out; if the current version does, the
   * export is refused (InvalidRequestError on `skip`).
   */
  async exportHistory(
    fragment: FragmentId,
    blockBytes: number,
    skip: readonly Version[] = [],
  ): Promise<FragmentExport> {
    checkFragment(fragment);
    skip.forEach((version, i) => checkVersion(`skip[${i}]`, version));
    return this.locks.run(stripeKey(fragment), async () => {
      const name = formatFragment(fragment);
      const metaValue = await this.db.get(keys.meta(fragment));
      const meta = this.decodeMeta(fragment, blockBytes, metaValue);
      if (!metaValue) return { meta: encodeJson(meta), base: null, records: [] };
      const base = (await this.db.get(keys.base(fragment))) ?? null;
      if (base) decodeBase(base, name);
      const dropped = new Set(skip.map(versionKey));
      const readsDropped = (index: IndexRange[]): IndexRange | undefined =>
        index.find(
          (range) =>
            range.source !== null &&
            compareVersions(range.source, meta.baseVersion) > 0 &&
            dropped.has(versionKey(range.source)),
        );
      const records: Uint8Array[] = [];
      const prefix = keys.recordPrefix(fragment);
      // Oldest first: a version reads only from older ones, so what it reads is decided already.
      for await (const value of this.db.values({ gte: prefix, lt: `${prefix}~` })) {
        const { header } = decodeRecord(value, name);
        if (dropped.has(versionKey(header.version)) || readsDropped(header.index))
          dropped.add(versionKey(header.version));
        else records.push(value);
      }
      const bad = readsDropped(meta.index);
      if (bad)
        throw new InvalidRequestError(
          'skip',
          `${name}: its current version ${formatVersion(meta.version)} reads bytes of version ${formatVersion(bad.source!)}, which is left out`,
        );
      return { meta: metaValue, base, records };
    });
  }

  /**
   * Writes a history exported from another store into this one, where the fragment has no
   * version yet: afterwards it reads, at every version copied, as it did there. Checked whole
   * before anything is written (every value's CRC32C, every range's source present): a bad
   * export is an error and changes nothing. Refused (nothing changed) where the stripe is fenced
   * above `ownershipEpoch`, or the fragment already has a version here ('ahead').
   */
  async importHistory(
    fragment: FragmentId,
    blockBytes: number,
    exported: FragmentExport,
    ownershipEpoch: number,
  ): Promise<WriteOutcome<object>> {
    checkFragment(fragment);
    checkInteger('ownershipEpoch', ownershipEpoch, 0, 2 ** 32 - 1);
    const { meta, versions } = checkedExport(fragment, blockBytes, exported);
    return this.locks.run(stripeKey(fragment), async () => {
      const here = await this.meta(fragment, blockBytes);
      const fence = await this.fenceVersion(fragment.volume, fragment.stripe);
      const refuse = refuser(here.version, fence.epoch);
      if (fence.epoch > ownershipEpoch) return refuse('fenced');
      if (compareVersions(here.version, VERSION_ZERO) !== 0) return refuse('ahead');
      const operations: BatchOperation[] = [
        ...(exported.base
          ? [{ type: 'put' as const, key: keys.base(fragment), value: exported.base }]
          : []),
        ...exported.records.map((value, i): BatchOperation => ({
          type: 'put',
          key: keys.record(fragment, versions[i]!),
          value,
        })),
        { type: 'put', key: keys.meta(fragment), value: encodeJson(meta) },
      ];
      await this.commit(operations);
      return { ok: true, version: meta.version, repeated: false };
    });
  }

  /**
   * Deletes a fragment and its history: the source of a move, once its copy is written, verified
   * and counted. Only at exactly `expected` (else 'behind' or 'ahead', nothing changed), and only
   * while the stripe's fence is not above `stamp` (the move's version): a delete that arrives late,
   * after a newer move fenced this store and copied the fragment back here at the same version,
   * is refused rather than delete that copy.
   */
  async deleteFragment(
    fragment: FragmentId,
    blockBytes: number,
    expected: Version,
    stamp: Version,
  ): Promise<WriteOutcome<object>> {
    checkFragment(fragment);
    checkVersion('expected', expected);
    checkVersion('stamp', stamp);
    return this.locks.run(stripeKey(fragment), async () => {
      const meta = await this.meta(fragment, blockBytes);
      const fence = await this.fenceVersion(fragment.volume, fragment.stripe);
      const refuse = refuser(meta.version, fence.epoch);
      if (compareVersions(fence, stamp) > 0) return refuse('fenced');
      const order = compareVersions(meta.version, expected);
      if (order !== 0) return refuse(order < 0 ? 'behind' : 'ahead');
      const prefix = keys.recordPrefix(fragment);
      const operations: BatchOperation[] = [
        { type: 'del', key: keys.meta(fragment) },
        { type: 'del', key: keys.base(fragment) },
      ];
      for await (const key of this.db.keys({ gte: prefix, lt: `${prefix}~` }))
        operations.push({ type: 'del', key });
      await this.commit(operations);
      return { ok: true, version: expected, repeated: false };
    });
  }

  /** Every fragment the store holds (of one volume, when named), with its version: for scrubbing and repair. */
  async *list(
    volume?: string,
  ): AsyncGenerator<{ fragment: FragmentId; version: Version; blockBytes: number }> {
    const prefix = keys.metaPrefix(volume);
    for await (const [key, value] of this.db.iterator({ gte: prefix, lt: `${prefix}~` })) {
      const meta = decodeJson<FragmentMeta>(value);
      yield {
        fragment: fragmentOfMetaKey(key),
        version: meta.version,
        blockBytes: meta.blockBytes,
      };
    }
  }

  /**
   * Folds history older than `horizonMs` (event time) into a new base: the base becomes the
   * fragment at its newest settled version written before the horizon, and the records at or
   * below it are dropped. Returns how many records were folded.
   */
  async fold(fragment: FragmentId, blockBytes: number, horizonMs: number): Promise<number> {
    checkFragment(fragment);
    return this.locks.run(stripeKey(fragment), async () => {
      const meta = await this.meta(fragment, blockBytes);
      const history = await this.history(fragment);
      // Nothing folds past a damaged version: its bytes cannot be read into the base.
      const firstDamaged = history.findIndex((entry) => entry.kind === 'damaged');
      const foldable = history
        .slice(0, firstDamaged < 0 ? history.length : firstDamaged)
        .filter(
          (entry) =>
            entry.kind !== 'base' &&
            entry.eventTimeMs < horizonMs &&
            compareVersions(entry.version, meta.settled) <= 0,
        );
      const newest = foldable[foldable.length - 1];
      if (!newest) return 0;
      const bytes = await this.readVersionUnlocked(fragment, meta, newest.version);
      const previousBase = await this.db.get(keys.base(fragment));
      // The header alone: the payload's CRC32C does not cover it, and what the new base takes of
      // the old payload was read, and checked, through readVersionUnlocked.
      const folded = foldWriters(
        previousBase ? foldedWritersOf(decodeBaseHeader(previousBase)) : [],
        foldable.flatMap((entry) => [entry.writer!, ...(entry.alsoWriters ?? [])]),
      );
      const operations: BatchOperation[] = [
        {
          type: 'put',
          key: keys.base(fragment),
          value: encodeBase(
            {
              version: newest.version,
              eventTimeMs: newest.eventTimeMs,
              folded,
              ...(newest.registry ? { registry: newest.registry } : {}),
            },
            bytes,
          ),
        },
        ...foldable.map((entry): BatchOperation => ({
          type: 'del',
          key: keys.record(fragment, entry.version),
        })),
        {
          type: 'put',
          key: keys.meta(fragment),
          value: encodeJson({
            ...meta,
            baseVersion: newest.version,
            index: foldIndex(meta.index, newest.version),
          }),
        },
      ];
      await this.commit(operations);
      return foldable.length;
    });
  }

  /**
   * The shared path of every stamped write: under the stripe's lock, check the fence, recognise a
   * repeated stamp, check the expected version, then commit bytes, record and metadata at once.
   */
  private async stamped<Extra extends object>(
    request: StampedWrite & { digest: string },
    kind: RecordKind,
    /** The bytes the request's digest is of (a repeat is told from a conflict by them). */
    sent: Uint8Array,
    apply: (meta: FragmentMeta) => Promise<{
      start: number;
      bytes: Uint8Array;
      /** The bytes' CRC32C, when the digest check computed it already. */
      payloadCrc?: number;
      /** The bytes are the store's own (nobody changes them after): the record keeps them uncopied. */
      owned?: boolean;
      registry: Version[] | null;
      extra: Extra;
    }>,
    repeated: (record: VersionRecord, meta: FragmentMeta) => Promise<Extra>,
  ): Promise<WriteOutcome<Extra>> {
    const { fragment, digest } = request;
    return this.locks.run(stripeKey(fragment), async () => {
      const [metaValue, fenceValue] = await this.db.getMany([
        keys.meta(fragment),
        keys.fence(fragment.volume, fragment.stripe),
      ]);
      const meta = this.decodeMeta(fragment, request.blockBytes, metaValue);
      const fence = fenceValue ? fenceOf(fenceValue) : VERSION_ZERO;
      const fenceEpoch = fence.epoch;
      const refuse = refuser(meta.version, fenceEpoch);
      if (compareVersions(request.next, fence) <= 0) return refuse('fenced');
      if (compareVersions(meta.version, request.next) >= 0) {
        const record = await this.record(fragment, request.next, true);
        if (record) {
          if (record.header.kind !== kind || !sameDigest(record.header.digest, digest, sent))
            return refuse('stamp_conflict');
          return {
            ok: true,
            version: request.next,
            repeated: true,
            ...(await repeated(record, meta)),
          };
        }
      }
      const order = compareVersions(meta.version, request.expected);
      if (order !== 0) return refuse(order < 0 ? 'behind' : 'ahead');
      const change = await apply(meta);
      const end = change.start + change.bytes.length;
      const index = overlay(meta.index, change.start, end, request.next);
      const settled =
        request.settled && compareVersions(request.settled, meta.settled) > 0
          ? request.settled
          : meta.settled;
      const recordKey = keys.record(fragment, request.next);
      const written = encodeRecordKept(
        {
          kind,
          version: request.next,
          writer: request.writer,
          ...(request.alsoWriters?.length ? { alsoWriters: [...request.alsoWriters] } : {}),
          digest,
          start: change.start,
          end,
          registry: change.registry,
          index,
          previousIndex: meta.index,
        },
        change.bytes,
        change.owned,
        change.payloadCrc,
      );
      const operations: BatchOperation[] = [
        { type: 'put', key: recordKey, value: written.value },
        {
          type: 'put',
          key: keys.meta(fragment),
          value: encodeJson({
            ...meta,
            version: request.next,
            registry: change.registry,
            settled,
            index,
          } satisfies FragmentMeta),
        },
      ];
      await this.commit(operations);
      this.recent.set(recordKey, written.record);
      return { ok: true, version: request.next, repeated: false, ...change.extra };
    });
  }

  private async readVersionUnlocked(
    fragment: FragmentId,
    meta: FragmentMeta,
    version: Version,
  ): Promise<Uint8Array> {
    if (sameVersion(version, meta.version))
      return this.readIndexed(fragment, meta, meta.index, 0, meta.blockBytes);
    const record = await this.record(fragment, version);
    if (!record)
      throw new VersionNotFoundError(formatFragment(fragment), `${version.epoch}.${version.seq}`);
    return this.readIndexed(fragment, meta, record.header.index, 0, meta.blockBytes);
  }

  /**
   * Assembles [offset, offset + length) from the base and the records that an index names, into
   * a new array the caller may change. `forWrite`: the old bytes a write replaces, read through
   * the record cache.
   */
  private async readIndexed(
    fragment: FragmentId,
    meta: FragmentMeta,
    index: IndexRange[],
    offset: number,
    length: number,
    forWrite = false,
  ): Promise<Uint8Array> {
    const bytes = new Uint8Array(length);
    const records = new Map<string, VersionRecord>();
    let base: Uint8Array | null | undefined;
    for (const range of index) {
      const from = Math.max(offset, range.start);
      const to = Math.min(offset + length, range.end);
      if (to <= from) continue;
      // A version at or below the base's was folded: its bytes are the base's at the same place.
      if (range.source === null || compareVersions(range.source, meta.baseVersion) <= 0) {
        // No base yet: the fragment was zeros there, as `bytes` already is.
        if (base === undefined) base = await this.baseBytes(fragment);
        if (base) bytes.set(base.subarray(from, to), from - offset);
        continue;
      }
      const key = `${range.source.epoch}.${range.source.seq}`;
      let record = records.get(key);
      if (!record) {
        record = await this.record(fragment, range.source, forWrite);
        if (!record) throw new VersionNotFoundError(formatFragment(fragment), key);
        records.set(key, record);
      }
      const at = range.sourceOffset + (from - range.start);
      bytes.set(record.bytes.subarray(at, at + (to - from)), from - offset);
    }
    return bytes;
  }

  /** The base copy's bytes, or null where nothing was folded yet (the fragment began as zeros). */
  private async baseBytes(fragment: FragmentId): Promise<Uint8Array | null> {
    const value = await this.db.get(keys.base(fragment));
    return value ? decodeBase(value, formatFragment(fragment)).bytes : null;
  }

  /** A version's record, checked; `cached`: through the record cache (the write path only). */
  private async record(
    fragment: FragmentId,
    version: Version,
    cached = false,
  ): Promise<VersionRecord | undefined> {
    const key = keys.record(fragment, version);
    if (cached) {
      const kept = this.recent.get(key);
      if (kept) return kept;
    }
    const value = await this.db.get(key);
    if (!value) return undefined;
    const record = decodeRecord(value, formatFragment(fragment));
    if (cached) this.recent.set(key, record);
    return record;
  }

  private async meta(fragment: FragmentId, blockBytes: number): Promise<FragmentMeta> {
    return this.decodeMeta(fragment, blockBytes, await this.db.get(keys.meta(fragment)));
  }

  private decodeMeta(
    fragment: FragmentId,
    blockBytes: number,
    value: Uint8Array | undefined,
  ): FragmentMeta {
    if (!value) {
      return {
        version: VERSION_ZERO,
        blockBytes,
        registry: null,
        settled: VERSION_ZERO,
        baseVersion: VERSION_ZERO,
        index: baseIndex(blockBytes),
      };
    }
    let meta = this.decodedMeta.get(value);
    if (!meta) this.decodedMeta.set(value, (meta = decodeJson<FragmentMeta>(value)));
    if (meta.blockBytes !== blockBytes) {
      throw new InvalidRequestError(
        'blockBytes',
        `fragment ${formatFragment(fragment)} has ${meta.blockBytes} bytes, not ${blockBytes}`,
      );
    }
    return meta;
  }

  /** Commits operations durably, within the quota; a full disk is a StoreFullError. */
  private async commit(operations: BatchOperation[]): Promise<void> {
    const adding = operations.reduce(
      (sum, op) => sum + op.key.length + (op.type === 'put' ? valueLength(op.value) : 0),
      0,
    );
    if (!this.db.acceptsValueParts)
      operations = operations.map((op) =>
        op.type === 'put' && !(op.value instanceof Uint8Array)
          ? { ...op, value: joinedValue(op.value) }
          : op,
      );
    if (this.usedBytes + adding > this.quotaBytes) {
      throw new StoreFullError(
        `the store's quota of ${this.quotaBytes} bytes is full (${this.usedBytes} used); writes are refused, reads go on`,
      );
    }
    // What the batch puts or deletes is no longer what the cache holds (whether or not it lands).
    for (const operation of operations) this.recent.drop(operation.key);
    try {
      await this.committer.commit(operations);
    } catch (error) {
      if (isDiskFull(error))
        throw new StoreFullError(
          `the disk is full: ${(error as Error).message}; writes are refused, reads go on`,
        );
      throw error;
    }
    this.usedBytes += adding;
  }
}

/** old ^= bytes, in place (old is the caller's own array); returns old, now the delta. */
function xorInto(old: Uint8Array, bytes: Uint8Array): Uint8Array {
  if (old.length > 0) gfMulXor(old, bytes, 1);
  return old;
}

/**
 * Whether a record may keep `bytes` as they are: a view keeps its whole buffer alive, and a small
 * write's bytes may be a view into a 64 KiB socket chunk, which the record cache (counting only
 * the bytes) would then hold many times over. Up to REST_BYTES_KEPT more is taken; else a copy.
 */
function keepsLittleElse(bytes: Uint8Array): boolean {
  return bytes.buffer.byteLength - bytes.byteLength <= REST_BYTES_KEPT;
}

/** What a record may keep alive beside its bytes (a frame's header, say). */
const REST_BYTES_KEPT = 4096;

function refuser(current: Version, fenceEpoch: number): (reason: Refusal) => WriteOutcome<never> {
  return (reason) => ({ ok: false, reason, current, fenceEpoch });
}

/** A fragment's history as one store holds it, to write into another (importHistory). */
export interface FragmentExport {
  /** The fragment's metadata, as stored (JSON). */
  meta: Uint8Array;
  /** The base copy as stored, or null where nothing was folded. */
  base: Uint8Array | null;
  /** The record of each version copied, as stored, oldest first. */
  records: Uint8Array[];
}

/** An export's metadata and its records' versions, once every value checks and every range's source is in it. */
function checkedExport(
  fragment: FragmentId,
  blockBytes: number,
  exported: FragmentExport,
): { meta: FragmentMeta; versions: Version[] } {
  const name = formatFragment(fragment);
  let meta: FragmentMeta;
  try {
    meta = decodeJson<FragmentMeta>(exported.meta);
  } catch (error) {
    throw new InvalidRequestError(
      'history.meta',
      `not a fragment's metadata: ${(error as Error).message}`,
    );
  }
  if (meta.blockBytes !== blockBytes)
    throw new InvalidRequestError(
      'history.meta',
      `${name} has ${meta.blockBytes} bytes, not ${blockBytes}`,
    );
  const base = exported.base ? decodeBase(exported.base, name).header.version : null;
  if (!base && compareVersions(meta.baseVersion, VERSION_ZERO) > 0)
    throw new InvalidRequestError(
      'history.base',
      `the metadata names base version ${formatVersion(meta.baseVersion)}, and there is no base`,
    );
  if (base && !sameVersion(base, meta.baseVersion))
    throw new InvalidRequestError(
      'history.base',
      `the base holds ${formatVersion(base)}, the metadata says ${formatVersion(meta.baseVersion)}`,
    );
  const headers = exported.records.map((value) => decodeRecord(value, name).header);
  const held = new Set(headers.map((header) => versionKey(header.version)));
  const indexes = [meta.index, ...headers.map((header) => header.index)];
  const has = (version: Version): boolean =>
    compareVersions(version, meta.baseVersion) <= 0 || held.has(versionKey(version));
  if (!has(meta.version))
    throw new InvalidRequestError(
      'history.records',
      `the current version ${formatVersion(meta.version)} has no record`,
    );
  for (const index of indexes)
    for (const range of index)
      if (range.source !== null && !has(range.source))
        throw new InvalidRequestError(
          'history.records',
          `bytes [${range.start}, ${range.end}) are in version ${formatVersion(range.source)}, which is not in the history`,
        );
  return { meta, versions: headers.map((header) => header.version) };
}

/** A value, or 'damaged' where the database finds it fails its checksum. */
async function readable(
  value: Promise<Uint8Array | undefined>,
): Promise<Uint8Array | undefined | 'damaged'> {
  try {
    return await value;
  } catch (error) {
    if (error instanceof ChecksumMismatchError) return 'damaged';
    throw error;
  }
}

/** A stored fence (older stores kept the epoch alone). */
function fenceOf(value: Uint8Array): Version {
  const fence = decodeJson<{ epoch: number; seq?: number }>(value);
  return { epoch: fence.epoch, seq: fence.seq ?? 0 };
}

function stripeKey(fragment: FragmentId): string {
  return `${fragment.volume}!${fragment.stripe}`;
}

/** The current index after a fold: ranges from folded versions now point at the base. */
function foldIndex(index: IndexRange[], baseVersion: Version): IndexRange[] {
  const merged: IndexRange[] = [];
  for (const range of index) {
    const folded = range.source === null || compareVersions(range.source, baseVersion) <= 0;
    const next: IndexRange = folded
      ? { start: range.start, end: range.end, source: null, sourceOffset: 0 }
      : range;
    const last = merged[merged.length - 1];
    if (folded && last && last.source === null && last.end === next.start) last.end = next.end;
    else merged.push(next);
  }
  return merged;
}

function isDiskFull(error: unknown): boolean {
  const parts: string[] = [];
  for (
    let current: unknown = error;
    current instanceof Error && parts.length < 4;
    current = current.cause
  ) {
    const code = (current as { code?: unknown }).code;
    parts.push(current.message, typeof code === 'string' ? code : '');
  }
  return /ENOSPC|No space left/i.test(parts.join(' '));
}
