/**
 * Conversions between the Fragments service's messages and the fragment store's requests. A
 * required field that is missing is an InvalidRequestError naming it; the store checks ranges.
 */
import type { FragmentId as FragmentIdMessage } from '../../proto/generated/tessera/v1/FragmentId.js';
import type { Refusal } from '../../proto/generated/tessera/v1/Refusal.js';
import type { Stamp__Output } from '../../proto/generated/tessera/v1/Stamp.js';
import type {
  Version as VersionMessage,
  Version__Output,
} from '../../proto/generated/tessera/v1/Version.js';
import type { WriterStamp__Output } from '../../proto/generated/tessera/v1/WriterStamp.js';
import { InvalidRequestError } from '../store/errors.js';
import type { StampedWrite } from '../store/store-requests.js';
import type { FragmentId, Version, WriterStamp } from '../store/version.js';

export function required<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined) throw new InvalidRequestError(field, 'is required');
  return value;
}

export function version(message: Version__Output | null | undefined, field: string): Version {
  const value = required(message, field);
  return { epoch: value.epoch, seq: value.seq };
}

export function fragment(
  message: FragmentIdMessage | null | undefined,
  field = 'fragment',
): FragmentId {
  const value = required(message, field);
  return { volume: value.volume ?? '', stripe: Number(value.stripe ?? 0), index: value.index ?? 0 };
}

export function writer(message: WriterStamp__Output | null, field: string): WriterStamp {
  const value = required(message, field);
  return {
    writerId: value.writerId,
    writerSeq: Number(value.writerSeq),
    part: value.part,
    parts: value.parts,
    eventTimeMs: Number(value.eventTimeMs),
  };
}

export function stamped(message: Stamp__Output | null): StampedWrite {
  const stamp = required(message, 'stamp');
  return {
    fragment: fragment(stamp.fragment, 'stamp.fragment'),
    blockBytes: stamp.blockBytes,
    expected: version(stamp.expected, 'stamp.expected'),
    next: version(stamp.next, 'stamp.next'),
    writer: writer(stamp.writer, 'stamp.writer'),
    ...(stamp.alsoWriters.length > 0
      ? {
          alsoWriters: stamp.alsoWriters.map((also, i) => writer(also, `stamp.alsoWriters[${i}]`)),
        }
      : {}),
    ...(stamp.settled ? { settled: version(stamp.settled, 'stamp.settled') } : {}),
  };
}

export function versionMessage(value: Version): VersionMessage {
  return { epoch: value.epoch, seq: value.seq };
}

export function refusal(outcome: {
  reason: string;
  current: Version;
  fenceEpoch: number;
}): Refusal {
  return {
    reason: outcome.reason,
    current: versionMessage(outcome.current),
    fenceEpoch: outcome.fenceEpoch,
  };
}
