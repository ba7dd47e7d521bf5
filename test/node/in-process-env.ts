/**
 * A NodeEnv for tests that keeps a whole cluster in one process: an in-process network (no
 * sockets: services registered by address, Raft messages delivered on the next microtask), an
 * in-memory fragment store, real timers and segment logs in a temporary directory. That the node
 * runs on it shows the NodeEnv seam is the only way it reaches the world; the cluster simulator
 * will replace the timers and the disk too.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { MemoryLevel } from 'memory-level';
import type { Message, NodeId } from '../../consensus/index.js';
import type { NodeView__Output } from '../../proto/generated/tessera/v1/NodeView.js';
import type {
  ClusterPeer,
  NodeEnv,
  NodeNetwork,
  NodeServices,
  RaftLink,
} from '../../node/env/node-env.js';
import { realClock } from '../../node/env/real-env.js';
import { SegmentLog } from '../../node/raft/segment-log.js';
import type { StorePort } from '../../node/cm/ports.js';
import type { FragmentId } from '../../node/store/version.js';
import { FragmentStore } from '../../node/store/fragment-store.js';

/** One network shared by every node of a test cluster. */
export class InProcessNetwork {
  private readonly services = new Map<string, NodeServices>();
  private readonly delivers = new Map<string, (message: Message) => void>();
  private nextPort = 1;
  /** Messages and calls that went through it, for the test to see traffic happened. */
  delivered = 0;

  /** The fragment store served at a node's gRPC address, for a test to look inside. */
  storeAt(address: string): FragmentStore {
    const services = this.services.get(address);
    if (!services) throw new Error(`nothing listens at ${address}`);
    return services.store;
  }

  forNode(): NodeNetwork {
    return {
      serve: (address, services) => {
        const bound = address.endsWith(':0')
          ? `${address.slice(0, -2)}:${this.nextPort++}`
          : address;
        this.services.set(bound, services);
        return Promise.resolve({
          address: bound,
          stop: () => Promise.resolve(void this.services.delete(bound)),
        });
      },
      serveAdmin: (address) => Promise.resolve({ address, stop: () => Promise.resolve() }),
      raft: (cluster, self, deliver) => this.link(cluster, self, deliver),
      peer: (address) => this.peer(address),
      fragmentStore: (address) => this.fragmentStore(address),
      listFragments: async (address) => {
        const services = this.services.get(address);
        if (!services) throw new Error(`nothing listens at ${address}`);
        const items: { fragment: FragmentId; blockBytes: number }[] = [];
        for await (const item of services.store.list()) items.push(item);
        return items;
      },
      close: () => {},
    };
  }

  private link(cluster: string, self: NodeId, deliver: (message: Message) => void): RaftLink {
    const peers = new Map<NodeId, string>();
    this.delivers.set(`${cluster}/${self}`, deliver);
    return {
      setPeer: (id, address) => void peers.set(id, address),
      send: (message) => {
        const target = this.delivers.get(`${cluster}/${message.to}`);
        if (!target || !peers.has(message.to)) return;
        this.delivered++;
        queueMicrotask(() => target(message));
      },
      close: () => void this.delivers.delete(`${cluster}/${self}`),
    };
  }

  /** The store served at `address`, called directly (a call to an address nobody serves fails). */
  private fragmentStore(address: string): StorePort {
    const at = (): FragmentStore => {
      const services = this.services.get(address);
      if (!services) throw new Error(`nothing listens at ${address}`);
      this.delivered += 1;
      return services.store;
    };
    return {
      writeData: async (request) => at().writeData(request),
      applyParity: async (request) => at().applyParity(request),
      writeWhole: async (request) => at().writeWhole(request),
      read: async (fragment, blockBytes, offset, length) =>
        at().read(fragment, blockBytes, offset, length),
      readVersion: async (fragment, blockBytes, version, offset, length) =>
        at().readVersion(fragment, blockBytes, version, offset, length),
      history: async (fragment) => at().history(fragment),
      fence: async (volume, stripe, epoch, seq) => at().fence(volume, stripe, epoch, seq),
      exportHistory: async (fragment, blockBytes, skip) =>
        at().exportHistory(fragment, blockBytes, skip),
      importHistory: async (fragment, blockBytes, history, epoch) =>
        at().importHistory(fragment, blockBytes, history, epoch),
      deleteFragment: async (fragment, blockBytes, expected, epoch) =>
        at().deleteFragment(fragment, blockBytes, expected, epoch),
    };
  }

  private peer(address: string): ClusterPeer {
    const at = (): NodeServices => {
      const services = this.services.get(address);
      if (!services) throw new Error(`nothing listens at ${address}`);
      return services;
    };
    return {
      view: async () => (await at().cluster.view()) as NodeView__Output,
      propose: async (commandJson, hops) => {
        const { result, index } = await at().cluster.propose(
          JSON.parse(commandJson) as never,
          hops,
        );
        return { resultJson: JSON.stringify(result), index };
      },
      join: async (memberJson, hops) => ({
        epoch: await at().cluster.join(JSON.parse(memberJson) as never, hops),
      }),
      remove: async (nodeId, hops) => ({ epoch: await at().cluster.remove(nodeId, hops) }),
      readIndex: async (hops) => ({ index: await at().cluster.readIndex(hops) }),
    };
  }
}

/** A NodeEnv on `network`, its files in memory and its Raft log under `dir`. */
export function inProcessEnv(network: InProcessNetwork, dir: string): NodeEnv {
  const files = new Map<string, string>();
  return {
    clock: realClock(),
    random: { int: (max) => randomInt(max) },
    disk: {
      mkdir: () => Promise.resolve(),
      openStore: () =>
        FragmentStore.open({
          db: new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }),
        }),
      openRaftLog: (raftDir) => SegmentLog.open(join(dir, raftDir)),
      readJson: <T>(path: string) =>
        Promise.resolve(files.has(path) ? (JSON.parse(files.get(path)!) as T) : undefined),
      writeJsonDurably: (path, value) =>
        Promise.resolve(void files.set(path, JSON.stringify(value))),
    },
    network: network.forNode(),
  };
}
