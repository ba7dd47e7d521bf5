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

/** How a base names a writer part folded into it: "writerId:writerSeq:part". */
export function foldedWriter(writer: Pick<WriterStamp, 'writerId' | 'writerSeq' | 'part'>): string {
  return `${writer.writerId}:${writer.writerSeq}:${writer.part}`;
}
