/**
 * Length-prefixed frames on a plain TCP socket, the floor's peer for gRPC: a request is
 * [u32 payload length][u32 id][payload], an acknowledgement [u32 0][u32 id]. Nothing else is
 * done (no headers, no serialization, no flow control beyond TCP's), so the same calls on it show
 * what a transport of our own could cost at best, beside gRPC's unary calls and Tessera's pipe.
 */
import { connect, type Socket } from 'node:net';

const HEADER_BYTES = 8;

/** Splits a byte stream into frames; calls `onFrame` with each frame's id and payload length. */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly onFrame: (id: number, payloadBytes: number) => void) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= HEADER_BYTES) {
      const head = this.peek(HEADER_BYTES);
      const length = head.readUInt32LE(0);
      if (this.pendingBytes < HEADER_BYTES + length) return;
      this.take(HEADER_BYTES + length);
      this.onFrame(head.readUInt32LE(4), length);
    }
  }

  private peek(bytes: number): Buffer {
    if (this.pending[0]!.length < bytes) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0]!.subarray(0, bytes);
  }

  /** Drops `bytes` from the front (the payload is not kept: the floor only counts it). */
  private take(bytes: number): void {
    this.pendingBytes -= bytes;
    let left = bytes;
    while (left > 0) {
      const first = this.pending[0]!;
      if (first.length <= left) {
        left -= first.length;
        this.pending.shift();
      } else {
        this.pending[0] = first.subarray(left);
        left = 0;
      }
    }
  }
}

export function ackFrame(id: number): Buffer {
  const frame = Buffer.alloc(HEADER_BYTES);
  frame.writeUInt32LE(0, 0);
  frame.writeUInt32LE(id, 4);
  return frame;
}

/** A client of the raw frames: `put` sends a payload and resolves on its acknowledgement. */
export class RawFrameClient {
  private readonly socket: Socket;
  private readonly waiting = new Map<number, () => void>();
  private nextId = 1;

  private constructor(socket: Socket) {
    this.socket = socket;
    const reader = new FrameReader((id) => {
      const done = this.waiting.get(id);
      this.waiting.delete(id);
      done?.();
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
  }

  static open(port: number): Promise<RawFrameClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.setNoDelay(true);
        socket.off('error', reject);
        resolve(new RawFrameClient(socket));
      });
      socket.once('error', reject);
    });
  }

  put(payload: Buffer): Promise<void> {
    const id = this.nextId++ >>> 0;
    const head = Buffer.alloc(HEADER_BYTES);
    head.writeUInt32LE(payload.length, 0);
    head.writeUInt32LE(id, 4);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve);
      this.socket.cork();
      this.socket.write(head);
      this.socket.write(payload, (error) => error && reject(error));
      this.socket.uncork();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
