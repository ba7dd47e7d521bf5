/**
 * The floor of the cluster benchmark, measured in the same run: raw gRPC between two local
 * Node.js processes (this one and a child serving FLOOR_SERVICE). One client stream of 64 KiB
 * messages gives MB/s one way; unary calls with 16 in flight, at the payload of each kind of
 * write, give the calls a second that the machine's gRPC can carry. The same calls sent through
 * Tessera's pipe (proto/pipe.ts) on its own socket, as nodes and the SDK send theirs, show what
 * the pipe saves against a unary call of its own, in the same run. And the same calls as bare frames
 * on a TCP socket (raw-frames.ts), the peer that shows what gRPC itself costs on this machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS } from '../../proto/load.js';
import { PipeClient } from '../../proto/pipe.js';
import { ownCpuSeconds, processCpuSeconds } from '../measure.js';
import { FLOOR_SERVICE } from './floor-service.js';
import { RawFrameClient } from './raw-frames.js';

/** What the floor measured. */
export interface GrpcFloor {
  /** One client stream of `streamMessageBytes` messages, payload MB/s (10^6 bytes) one way. */
  streamMBps: number;
  streamMessageBytes: number;
  /** Unary calls a second with `inflight` in flight, by payload bytes. */
  unaryCallsPerSecond: Map<number, number>;
  /** CPU ms one unary call costs, both processes together, by payload bytes (null off Linux). */
  unaryCpuMsPerCall: Map<number, number | null>;
  /** The same calls on the pipe: calls a second, and CPU ms a call, by payload bytes. */
  pipeCallsPerSecond: Map<number, number>;
  pipeCpuMsPerCall: Map<number, number | null>;
  /** The same calls as bare frames on one TCP socket: calls a second, and CPU ms a call. */
  rawCallsPerSecond: Map<number, number>;
  rawCpuMsPerCall: Map<number, number | null>;
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
  const ports = await childPorts(child);
  const address = `127.0.0.1:${ports.port}`;
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  const pipe = new PipeClient(address, CHANNEL_OPTIONS);
  const raw = await RawFrameClient.open(ports.rawPort);
  try {
    const messageBytes = 64 << 10;
    await pushFor(client, messageBytes, WARMUP_MS);
    const streamMBps = await pushFor(client, messageBytes, options.streamMs);
    const figures = (): {
      callsPerSecond: Map<number, number>;
      cpuMsPerCall: Map<number, number | null>;
    } => ({
      callsPerSecond: new Map(),
      cpuMsPerCall: new Map(),
    });
    const unary = figures();
    const piped = figures();
    const bare = figures();
    for (const payload of options.unaryPayloads) {
      const message = Buffer.alloc(payload, 0x5a);
      const ways: [typeof unary, () => Promise<void>][] = [
        [unary, () => unaryPut(client, message)],
        [piped, () => pipe.call(FLOOR_SERVICE.put, message, 10_000).then(() => undefined)],
        [bare, () => raw.put(message)],
      ];
      for (const [figures, put] of ways) {
        await putFor(put, options.inflight, WARMUP_MS / 2);
        const cpuBefore = cpuSeconds(child);
        const done = await putFor(put, options.inflight, options.unaryMs);
        const cpuAfter = cpuSeconds(child);
        figures.callsPerSecond.set(payload, done.callsPerSecond);
        figures.cpuMsPerCall.set(
          payload,
          cpuBefore === null || cpuAfter === null
            ? null
            : (1000 * (cpuAfter - cpuBefore)) / done.calls,
        );
      }
    }
    // The figure stands for the nodes' transport only if the pipe took the socket as they do.
    if (pipe.transport !== 'socket')
      throw new Error(`the floor's pipe ran on ${pipe.transport}, not on the pipe's socket`);
    return {
      streamMBps,
      streamMessageBytes: messageBytes,
      unaryCallsPerSecond: unary.callsPerSecond,
      unaryCpuMsPerCall: unary.cpuMsPerCall,
      pipeCallsPerSecond: piped.callsPerSecond,
      pipeCpuMsPerCall: piped.cpuMsPerCall,
      rawCallsPerSecond: bare.callsPerSecond,
      rawCpuMsPerCall: bare.cpuMsPerCall,
      inflight: options.inflight,
    };
  } finally {
    raw.close();
    pipe.close();
    client.close();
    child.stdin?.end();
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

function childPorts(child: ChildProcess): Promise<{ port: number; rawPort: number }> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(JSON.parse(line) as { port: number; rawPort: number }));
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
  const childSeconds = processCpuSeconds(child.pid);
  if (childSeconds === null) return null;
  return childSeconds + ownCpuSeconds();
}

/** One unary Put call of its own. */
function unaryPut(client: grpc.Client, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest<Buffer, Buffer>(
      FLOOR_SERVICE.put.path,
      FLOOR_SERVICE.put.requestSerialize,
      FLOOR_SERVICE.put.responseDeserialize,
      payload,
      (error) => (error ? reject(error) : resolve()),
    ),
  );
}

/** `put` calls with `inflight` in flight for `durationMs`. */
async function putFor(
  put: () => Promise<void>,
  inflight: number,
  durationMs: number,
): Promise<{ calls: number; callsPerSecond: number }> {
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
