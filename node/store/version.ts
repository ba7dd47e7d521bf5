/**
 * Versions and the other small values that the fragment store keeps. A version is the pair
 * (epoch, seq) of DESIGN.md, compared epoch first; (0, 0) is a fragment never written.
 */

/** The (epoch, seq) stamped on a fragment by the stripe's owner. */
export interface Version {
  readonly epoch: number;
  readonly seq: number;
}

/** The version of a fragment that was never written (all zeros). */
export const VERSION_ZERO: Version = Object.freeze({ epoch: 0, seq: 0 });

/** Negative, zero or positive as a is older than, equal to or newer than b. */
export function compareVersions(a: Version, b: Version): number {
  return a.epoch !== b.epoch ? a.epoch - b.epoch : a.seq - b.seq;
}

export function sameVersion(a: Version, b: Version): boolean {
  return a.epoch === b.epoch && a.seq === b.seq;
}

/** "epoch.seq", for messages. */
export function formatVersion(version: Version): string {
  return `${version.epoch}.${version.seq}`;
}

/** A sortable fixed-width key part: 8 hex digits of epoch, 13 of seq. */
export function versionKey(version: Version): string {
  return version.epoch.toString(16).padStart(8, '0') + version.seq.toString(16).padStart(13, '0');
}

export function parseVersionKey(key: string): Version {
  return { epoch: parseInt(key.slice(0, 8), 16), seq: parseInt(key.slice(8), 16) };
}

/** Which writer event a version carries: who, which of its writes, which part of it, when. */
export interface WriterStamp {
  readonly writerId: string;
  readonly writerSeq: number;
  /** 0-based part of a write that spans several fragments. */
  readonly part: number;
  readonly parts: number;
  /** The writer's event time in milliseconds (made monotone per stripe by the owner). */
  readonly eventTimeMs: number;
}

/** One fragment of one stripe of one volume. */
export interface FragmentId {
  readonly volume: string;
  readonly stripe: number;
  readonly index: number;
}

export function formatFragment(id: FragmentId): string {
  return `${id.volume}/${id.stripe}/${id.index}`;
}

/**
 * A writer whose writes were folded into a base, with the highest sequence folded: any write of
 * that writer at or below it may be in the base, with no record of its own left.
 */
export interface FoldedWriter {
  readonly writerId: string;
  readonly writerSeq: number;
}

/**
 * The writers folded into a base, one entry a writer (the highest sequence), from those folded
 * before and the stamps folded now. One entry a writer keeps the base's header bounded by its
 * writers, not its writes: a retry of a writer's write at or below the highest folded sequence
 * is outcome unknown whether or not that very write was folded.
 */
export function foldWriters(
  before: readonly FoldedWriter[],
  stamps: readonly Pick<WriterStamp, 'writerId' | 'writerSeq'>[],
): FoldedWriter[] {
  const highest = new Map<string, number>();
  for (const { writerId, writerSeq } of [...before, ...stamps])
    highest.set(writerId, Math.max(writerSeq, highest.get(writerId) ?? 0));
  return [...highest].map(([writerId, writerSeq]) => ({ writerId, writerSeq }));
}

/** A base's folded writer part as bases before session 13 named it: "writerId:writerSeq:part". */
export function legacyFoldedWriter(name: string): FoldedWriter {
  const partAt = name.lastIndexOf(':');
  const seqAt = name.lastIndexOf(':', partAt - 1);
  return { writerId: name.slice(0, seqAt), writerSeq: Number(name.slice(seqAt + 1, partAt)) };
}

/** Whether a base's folded writers may hold `writer`'s write (see FoldedWriter). */
export function mayBeFolded(
  folded: readonly FoldedWriter[],
  writer: Pick<WriterStamp, 'writerId' | 'writerSeq'>,
): boolean {
  return folded.some(
    (entry) => entry.writerId === writer.writerId && writer.writerSeq <= entry.writerSeq,
  );
}
