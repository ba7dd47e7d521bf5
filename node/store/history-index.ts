/**
 * The sparse index of one version of a fragment: for every byte range, where its bytes are,
 * either in the base copy (at the same offset) or in the record of the version that last wrote
 * them (at an offset into that record's bytes). Built from the previous version's index by
 * overlaying the new version's changed range, so that any version reads without replaying the
 * deltas before it. Ranges are sorted, disjoint and cover [0, fragment length).
 */
import type { Version } from './version.js';

/** Where the bytes [start, end) of a version live. */
export interface IndexRange {
  start: number;
  end: number;
  /** null: the base copy, at offset `start`; else the record of that version. */
  source: Version | null;
  /** Offset of byte `start` in the source record's bytes (0 for the base). */
  sourceOffset: number;
}

/** The index of a fragment whose every byte is in the base copy. */
export function baseIndex(length: number): IndexRange[] {
  return length === 0 ? [] : [{ start: 0, end: length, source: null, sourceOffset: 0 }];
}

/** `previous` with [start, end) now found in `version`'s record from offset 0. */
export function overlay(
  previous: readonly IndexRange[],
  start: number,
  end: number,
  version: Version,
): IndexRange[] {
  if (end <= start) return [...previous];
  const next: IndexRange[] = [];
  for (const range of previous) {
    if (range.end <= start || range.start >= end) {
      next.push(range);
      continue;
    }
    if (range.start < start) next.push({ ...range, end: start });
    if (range.end > end) {
      const cut = end - range.start;
      next.push({
        ...range,
        start: end,
        sourceOffset: range.source ? range.sourceOffset + cut : 0,
      });
    }
  }
  next.push({ start, end, source: version, sourceOffset: 0 });
  next.sort((a, b) => a.start - b.start);
  return next;
}
