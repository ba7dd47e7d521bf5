/**
 * Starting and stopping a node's gRPC server. It binds where it is told (127.0.0.1 in tests,
 * never 0.0.0.0 unless configured so) with the message limits of proto/load.ts.
 */
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, fragmentsProto } from '../../proto/load.js';
import { addServices, killPipes, serveSocketPipe, stopPipes } from '../../proto/pipe.js';
import type { FragmentStore } from '../store/fragment-store.js';
import type { NodeMetrics } from '../admin/metrics.js';
import { fragmentHandlers } from './fragment-service.js';
import { instrument } from './instrument.js';

export interface RunningServer {
  server: grpc.Server;
  /** host:port it listens on (the port the OS gave, when asked for 0). */
  address: string;
  stop(): Promise<void>;
}

/** Serves the Fragments service of `store` on `address` (host:port; port 0 picks one). */
export async function serveFragments(
  store: FragmentStore,
  address: string,
  metrics?: NodeMetrics,
): Promise<RunningServer> {
  const server = new grpc.Server(CHANNEL_OPTIONS);
  const handlers = fragmentHandlers(store);
  addServices(server, [
    [
      fragmentsProto().tessera.v1.Fragments.service,
      metrics ? instrument(handlers, metrics) : handlers,
    ],
  ]);
  return {
    server,
    address: await bindWithPipeSocket(server, address),
    stop: () => stopServer(server),
  };
}

/**
 * Binds `server` as bindServer does, then serves its pipes on a TCP socket on the same host too
 * (proto/pipe.ts: the same calls, without gRPC's framing); resolves with the gRPC address.
 */
export async function bindWithPipeSocket(server: grpc.Server, address: string): Promise<string> {
  const bound = await bindServer(server, address);
  await serveSocketPipe(server, bound.slice(0, bound.lastIndexOf(':')));
  return bound;
}

/** Binds `server` to `address` (host:port; port 0 picks one); resolves with where it listens. */
export async function bindServer(server: grpc.Server, address: string): Promise<string> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return `${address.slice(0, address.lastIndexOf(':'))}:${port}`;
}

/** Lets calls in flight finish for up to `graceMs`, then cuts whatever is left. */
export function stopServer(server: grpc.Server, graceMs = 1000): Promise<void> {
  stopPipes(server);
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      killPipes(server);
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
