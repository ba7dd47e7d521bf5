/**
 * The floor of the cluster benchmark, measured in the same run: raw gRPC between two local
 * Node.js processes (this one and a child serving FLOOR_SERVICE). One client stream of 64 KiB
 * messages gives MB/s one way; unary calls with 16 in flight, at the payload of each kind of
 * write, give the calls a second that the machine's gRPC can carry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS } from '../../proto/load.js';
import { FLOOR_SERVICE } from './floor-service.js';

/** What the floor measured. */
export interface GrpcFloor {
  /** One client stream of `streamMessageBytes` messages, payload MB/s (10^6 bytes) one way. */
  streamMBps: number;
  streamMessageBytes: number;
  /** Unary calls a second with `inflight` in flight, by payload bytes. */
  unaryCallsPerSecond: Map<number, number>;
  /** CPU ms one unary call costs, both processes together, by payload bytes (null off Linux). */
  unaryCpuMsPerCall: Map<number, number | null>;
  inflight: number;
}

const WARMUP_MS = 500;

/** Measures the floor against a child process; `streamMs` of streaming and `unaryMs` per payload. */
export async function measureGrpcFloor(options: {
  streamMs: number;
  unaryMs: number;
  unaryPayloads: readonly number[];
  inflight: number;
  /** Called with the child, so that the caller can kill it on an interrupt. */
  onChild: (child: ChildProcess) => void;
}): Promise<GrpcFloor> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./floor-server.ts', import.meta.url))],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  options.onChild(child);
  const client = new grpc.Client(
    `127.0.0.1:${await childPort(child)}`,
    grpc.credentials.createInsecure(),
    CHANNEL_OPTIONS,
  );
  try {
    const messageBytes = 64 << 10;
    await pushFor(client, messageBytes, WARMUP_MS);
    const streamMBps = await pushFor(client, messageBytes, options.streamMs);
    const unaryCallsPerSecond = new Map<number, number>();
    const unaryCpuMsPerCall = new Map<number, number | null>();
    for (const payload of options.unaryPayloads) {
      await putFor(client, payload, options.inflight, WARMUP_MS / 2);
      const cpuBefore = cpuSeconds(child);
      const put = await putFor(client, payload, options.inflight, options.unaryMs);
      const cpuAfter = cpuSeconds(child);
      unaryCallsPerSecond.set(payload, put.callsPerSecond);
      unaryCpuMsPerCall.set(
        payload,
        cpuBefore === null || cpuAfter === null
          ? null
          : (1000 * (cpuAfter - cpuBefore)) / put.calls,
      );
    }
    return {
      streamMBps,
      streamMessageBytes: messageBytes,
      unaryCallsPerSecond,
      unaryCpuMsPerCall,
      inflight: options.inflight,
    };
  } finally {
    client.close();
    child.stdin?.end();
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

function childPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the floor server exited (code ${code})`)));
  });
}

/** Streams `messageBytes` messages for `durationMs`; MB/s the server counted, to its answer. */
function pushFor(client: grpc.Client, messageBytes: number, durationMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const message = Buffer.alloc(messageBytes, 0x5a);
    const started = performance.now();
    const stream = client.makeClientStreamRequest<Buffer, Buffer>(
      FLOOR_SERVICE.push.path,
      FLOOR_SERVICE.push.requestSerialize,
      FLOOR_SERVICE.push.responseDeserialize,
      (error, count) => {
        if (error || !count) return reject(error ?? new Error('no count'));
        const seconds = (performance.now() - started) / 1000;
        resolve(Number(count.readBigUInt64LE()) / seconds / 1e6);
      },
    );
    const pump = (): void => {
      while (performance.now() - started < durationMs) {
        if (!stream.write(message)) return void stream.once('drain', pump);
      }
      stream.end();
    };
    pump();
  });
}

/** CPU seconds of this process and the child together (the child's from /proc; null elsewhere). */
function cpuSeconds(child: ChildProcess): number | null {
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const childSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    const own = process.cpuUsage();
    return childSeconds + (own.user + own.system) / 1e6;
  } catch {
    return null;
  }
}

/** USER_HZ of Linux's /proc/<pid>/stat (100 on every common build). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Unary Put calls of `payloadBytes` with `inflight` in flight for `durationMs`. */
async function putFor(
  client: grpc.Client,
  payloadBytes: number,
  inflight: number,
  durationMs: number,
): Promise<{ calls: number; callsPerSecond: number }> {
  const payload = Buffer.alloc(payloadBytes, 0x5a);
  const put = (): Promise<void> =>
    new Promise((resolve, reject) =>
      client.makeUnaryRequest<Buffer, Buffer>(
        FLOOR_SERVICE.put.path,
        FLOOR_SERVICE.put.requestSerialize,
        FLOOR_SERVICE.put.responseDeserialize,
        payload,
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  const started = performance.now();
  let calls = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() - started < durationMs) {
      await put();
      calls++;
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  return { calls, callsPerSecond: calls / ((performance.now() - started) / 1000) };
}
