/**
 * The real NodeEnv: timers and performance.now, crypto randomness, LevelDB (or RocksDB, or
 * memory) and segment files on the local disk, gRPC and HTTP on the configured addresses.
 */
import { randomInt } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { ClusterClient } from '../../proto/generated/tessera/v1/Cluster.js';
import type { NodeView__Output } from '../../proto/generated/tessera/v1/NodeView.js';
import { CHANNEL_OPTIONS, clusterProto, fragmentsProto, raftProto } from '../../proto/load.js';
import { serveAdmin } from '../admin/admin-server.js';
import { RaftTransport } from '../cluster/raft-transport.js';
import { FragmentClient } from '../grpc/fragment-client.js';
import { fragmentHandlers } from '../grpc/fragment-service.js';
import { remoteStore } from '../grpc/remote-store.js';
import { volumesService } from '../grpc/volume-service.js';
import { instrument } from '../grpc/instrument.js';
import { bindWithPipeSocket, stopServer } from '../grpc/server.js';
import { addServices, PipeClient } from '../../proto/pipe.js';
import { pipeCall, unaryCall } from '../grpc/unary-call.js';
import { SegmentLog } from '../raft/segment-log.js';
import { clusterHandlers } from '../runtime/cluster-service.js';
import { FragmentStore } from '../store/fragment-store.js';
import { openDatabase } from '../store/open-database.js';
import type { StorePort } from '../cm/ports.js';
import type { Clock, ClusterPeer, NodeEnv, NodeNetwork, RaftLink } from './node-env.js';

/** How long a consistency manager waits for another node's store before counting it missed. */
const STORE_CALL_DEADLINE_MS = 2_000;

/** Real time: performance.now for intervals, Date.now for event times, Node's timers. */
export function realClock(): Clock {
  return {
    nowMs: () => performance.now(),
    wallMs: () => Date.now(),
    every: (ms, action) => {
      const timer = setInterval(action, ms);
      return () => clearInterval(timer);
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

export function realEnv(): NodeEnv {
  return {
    clock: realClock(),
    random: { int: (max) => randomInt(max) },
    disk: {
      mkdir: async (path) => void (await mkdir(path, { recursive: true })),
      openStore: async (config) => {
        const dir = join(config.dataDir, 'fragments');
        const db = await openDatabase(config.store.backend, dir);
        return FragmentStore.open({
          db,
          recordCacheBytes: config.store.recordCacheBytes,
          ...(config.store.quotaBytes === null ? {} : { quotaBytes: config.store.quotaBytes }),
        });
      },
      openRaftLog: (dir) => SegmentLog.open(dir),
      readJson: async <T>(path: string) => {
        try {
          return JSON.parse(await readFile(path, 'utf8')) as T;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw error;
        }
      },
      writeJsonDurably: async (path, value) => {
        const handle = await open(path, 'w');
        try {
          await handle.writeFile(JSON.stringify(value));
          await handle.sync();
        } finally {
          await handle.close();
        }
      },
    },
    network: grpcNetwork(),
  };
}

function grpcNetwork(): NodeNetwork {
  const clients = new Map<string, ClusterClient>();
  /** The Cluster calls every write makes (ReadIndex) and the polls (View) go on a pipe. */
  const pipes = new Map<string, PipeClient>();
  const pipe = (address: string): PipeClient => {
    let existing = pipes.get(address);
    if (!existing) {
      existing = new PipeClient(address, CHANNEL_OPTIONS, client(address));
      pipes.set(address, existing);
    }
    return existing;
  };
  const cluster = clusterProto().tessera.v1.Cluster.service;
  const stores = new Map<string, { client: FragmentClient; port: StorePort }>();
  const storeEntry = (address: string): { client: FragmentClient; port: StorePort } => {
    let existing = stores.get(address);
    if (!existing) {
      const client = new FragmentClient(address, STORE_CALL_DEADLINE_MS);
      existing = { client, port: remoteStore(client) };
      stores.set(address, existing);
    }
    return existing;
  };
  /** The transports this network made, to serve their receiving side. */
  const transports = new WeakMap<RaftLink, RaftTransport>();
  const client = (address: string): ClusterClient => {
    let existing = clients.get(address);
    if (!existing) {
      existing = new (clusterProto().tessera.v1.Cluster)(
        address,
        grpc.credentials.createInsecure(),
        CHANNEL_OPTIONS,
      );
      clients.set(address, existing);
    }
    return existing;
  };
  return {
    async serve(address, services) {
      const server = new grpc.Server(CHANNEL_OPTIONS);
      const transport = transports.get(services.raft);
      if (!transport) throw new Error('serve: the Raft link was not made by this network');
      addServices(server, [
        [
          fragmentsProto().tessera.v1.Fragments.service,
          instrument(fragmentHandlers(services.store), services.metrics),
        ],
        [raftProto().tessera.v1.Raft.service, transport.handlers()],
        [
          clusterProto().tessera.v1.Cluster.service,
          instrument(clusterHandlers(services.cluster), services.metrics),
        ],
        volumesService(services.volumes, services.metrics),
      ]);
      return {
        address: await bindWithPipeSocket(server, address),
        stop: () => stopServer(server, 500),
      };
    },
    serveAdmin,
    raft(cluster, self, deliver) {
      const transport = new RaftTransport(cluster, self, deliver);
      transports.set(transport, transport);
      return transport;
    },
    peer(address): ClusterPeer {
      return {
        view: (deadlineMs) =>
          pipeCall<object, NodeView__Output>(pipe(address), cluster.View, {}, deadlineMs),
        propose: (commandJson, hops, deadlineMs) =>
          unaryCall(client(address), 'Propose', { commandJson, hops }, deadlineMs),
        join: (memberJson, hops, deadlineMs) =>
          unaryCall(client(address), 'Join', { memberJson, hops }, deadlineMs),
        remove: (nodeId, hops, deadlineMs) =>
          unaryCall(client(address), 'Remove', { nodeId, hops }, deadlineMs),
        readIndex: (hops, deadlineMs) =>
          pipeCall(pipe(address), cluster.ReadIndex, { hops }, deadlineMs),
      };
    },
    listFragments(address) {
      return storeEntry(address).client.list();
    },
    fragmentStore(address) {
      return storeEntry(address).port;
    },
    close() {
      for (const existing of pipes.values()) existing.close();
      pipes.clear();
      for (const existing of clients.values()) existing.close();
      clients.clear();
      for (const existing of stores.values()) existing.client.close();
      stores.clear();
    },
  };
}
