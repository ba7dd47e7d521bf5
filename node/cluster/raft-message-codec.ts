/**
 * Raft messages on the wire: the consensus core's message as JSON, with every byte array (entry
 * data, snapshot chunks) as base64 under a tag, so that it comes back as a Uint8Array. Messages
 * are small apart from their byte arrays, and those cost base64's third; the message limit of
 * the gRPC channel bounds them.
 */
import type { Message } from '../../consensus/index.js';

const BYTES_TAG = '$bytes';

export function encodeRaftMessage(message: Message): Uint8Array {
  // The replacer looks at the original value (this[key]): JSON.stringify has already turned a
  // Buffer into {type: 'Buffer', data: […]} through its toJSON by the time `value` arrives.
  return Buffer.from(
    JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
      const original = this[key];
      return original instanceof Uint8Array
        ? {
            [BYTES_TAG]: Buffer.from(
              original.buffer,
              original.byteOffset,
              original.length,
            ).toString('base64'),
          }
        : value;
    }),
  );
}

export function decodeRaftMessage(bytes: Uint8Array): Message {
  return JSON.parse(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'),
    (_key, value: unknown) => {
      if (value !== null && typeof value === 'object' && BYTES_TAG in value) {
        const encoded = (value as Record<string, unknown>)[BYTES_TAG];
        if (typeof encoded === 'string') return new Uint8Array(Buffer.from(encoded, 'base64'));
      }
      return value;
    },
  ) as Message;
}
