/**
 * One frame of a segment file: the operations of one batch, written with one writev and made
 * durable by one fdatasync. Layout (little-endian):
 *
 *   header      magic u32 | descriptor length u32 | CRC32C of the descriptor u32
 *   descriptor  payload length u32 | count u32 | per operation:
 *                 kind u8 (1 put, 2 del) | key length u16 | key (UTF-8)
 *                 | for a put: value length u32 | CRC32C of the value u32
 *   payload     the values of the puts, one after another
 *
 * The descriptor's CRC covers everything that says where things are, so a frame whose descriptor
 * checks can be skipped over; each value carries its own CRC, checked whenever it is read, so a
 * damaged value fails alone and never reads as data.
 */
import { crc32c } from '@node-rs/crc32';
import { valueLength, type BatchValue } from './level.js';

export const FRAME_MAGIC = 0x31475354;
export const FRAME_HEADER_BYTES = 12;
/** A descriptor larger than this is damage, not a batch (GroupCommitter caps a group at 4096 operations). */
export const DESCRIPTOR_BYTES_MAX = 64 << 20;
export const KEY_BYTES_MAX = 0xffff;

export type FrameOperation =
  { type: 'put'; key: string; value: BatchValue } | { type: 'del'; key: string };

/** An operation as the descriptor states it; a put's value is at `valueOffset` from the frame's start. */
export interface DescribedOperation {
  type: 'put' | 'del';
  key: string;
  valueOffset: number;
  valueLength: number;
  valueCrc: number;
}

/** A frame ready for writev (values are not copied), and where each value lands in it. */
export interface EncodedFrame {
  buffers: Uint8Array[];
  bytes: number;
  operations: DescribedOperation[];
}

export function encodeFrame(operations: readonly FrameOperation[]): EncodedFrame {
  const keys = operations.map((op) => Buffer.from(op.key, 'utf8'));
  let descriptorBytes = 8;
  let payloadBytes = 0;
  operations.forEach((op, i) => {
    descriptorBytes += 3 + keys[i]!.length + (op.type === 'put' ? 8 : 0);
    if (op.type === 'put') payloadBytes += valueLength(op.value);
  });
  const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES + descriptorBytes);
  let at = FRAME_HEADER_BYTES;
  at = head.writeUInt32LE(payloadBytes, at);
  at = head.writeUInt32LE(operations.length, at);
  const described: DescribedOperation[] = [];
  const buffers: Uint8Array[] = [head];
  let valueOffset = head.length;
  operations.forEach((op, i) => {
    const key = keys[i]!;
    if (key.length > KEY_BYTES_MAX)
      throw new RangeError(`a key of ${key.length} bytes is too long`);
    at = head.writeUInt8(op.type === 'put' ? 1 : 2, at);
    at = head.writeUInt16LE(key.length, at);
    at += key.copy(head, at);
    if (op.type === 'put') {
      const parts = op.value instanceof Uint8Array ? [op.value] : op.value;
      let valueCrc = 0;
      let length = 0;
      for (const part of parts) {
        valueCrc = crc32c(part, valueCrc);
        length += part.length;
        buffers.push(part);
      }
      at = head.writeUInt32LE(length, at);
      at = head.writeUInt32LE(valueCrc, at);
      described.push({ type: 'put', key: op.key, valueOffset, valueLength: length, valueCrc });
      valueOffset += length;
    } else {
      described.push({ type: 'del', key: op.key, valueOffset: 0, valueLength: 0, valueCrc: 0 });
    }
  });
  head.writeUInt32LE(FRAME_MAGIC, 0);
  head.writeUInt32LE(descriptorBytes, 4);
  head.writeUInt32LE(crc32c(head.subarray(FRAME_HEADER_BYTES)), 8);
  return { buffers, bytes: valueOffset, operations: described };
}

/** A frame header's fields, or why it is not one. */
export function decodeHeader(
  header: Uint8Array,
): { ok: true; descriptorBytes: number; descriptorCrc: number } | { ok: false; why: string } {
  const view = Buffer.from(header.buffer, header.byteOffset, header.length);
  if (view.length < FRAME_HEADER_BYTES) return { ok: false, why: 'a frame header is cut short' };
  if (view.readUInt32LE(0) !== FRAME_MAGIC) return { ok: false, why: 'no frame starts here' };
  const descriptorBytes = view.readUInt32LE(4);
  if (descriptorBytes < 8 || descriptorBytes > DESCRIPTOR_BYTES_MAX)
    return { ok: false, why: `a frame descriptor of ${descriptorBytes} bytes` };
  return { ok: true, descriptorBytes, descriptorCrc: view.readUInt32LE(8) };
}

/**
 * The operations a descriptor names (value offsets counted from the frame's start), or why it
 * does not check.
 */
export function decodeDescriptor(
  descriptor: Uint8Array,
  descriptorCrc: number,
):
  | { ok: true; payloadBytes: number; operations: DescribedOperation[] }
  | { ok: false; why: string } {
  if (crc32c(descriptor) !== descriptorCrc)
    return { ok: false, why: 'the frame descriptor fails its CRC32C' };
  const view = Buffer.from(descriptor.buffer, descriptor.byteOffset, descriptor.length);
  const payloadBytes = view.readUInt32LE(0);
  const count = view.readUInt32LE(4);
  const operations: DescribedOperation[] = [];
  let at = 8;
  let valueOffset = FRAME_HEADER_BYTES + descriptor.length;
  for (let i = 0; i < count; i++) {
    if (at + 3 > view.length) return { ok: false, why: 'the frame descriptor is cut short' };
    const kind = view.readUInt8(at);
    const keyBytes = view.readUInt16LE(at + 1);
    at += 3;
    if ((kind !== 1 && kind !== 2) || at + keyBytes + (kind === 1 ? 8 : 0) > view.length)
      return { ok: false, why: `operation ${i} of the frame is malformed` };
    const key = view.toString('utf8', at, at + keyBytes);
    at += keyBytes;
    if (kind === 1) {
      const valueLength = view.readUInt32LE(at);
      const valueCrc = view.readUInt32LE(at + 4);
      at += 8;
      operations.push({ type: 'put', key, valueOffset, valueLength, valueCrc });
      valueOffset += valueLength;
    } else {
      operations.push({ type: 'del', key, valueOffset: 0, valueLength: 0, valueCrc: 0 });
    }
  }
  if (valueOffset - FRAME_HEADER_BYTES - descriptor.length !== payloadBytes)
    return { ok: false, why: 'the frame payload length disagrees with its values' };
  return { ok: true, payloadBytes, operations };
}
