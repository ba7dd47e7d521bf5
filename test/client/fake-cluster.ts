/**
 * A fake cluster for the SDK's tests: real grpc-js servers on 127.0.0.1, one per node, each
 * serving the Cluster service's View and Propose over a map the test builds, and the real Volumes
 * adapter over an in-memory StripeService. The fake CMs enforce ownership with the same owner()
 * the nodes use, can be told to fail and to hold their replies, and record every request, so that
 * a test can show where each request went and what it carried.
 */
import * as grpc from '@grpc/grpc-js';
import { cmSetOf, owner, stripeKey } from '../../placement/index.js';
import { CHANNEL_OPTIONS, clusterProto } from '../../proto/load.js';
import type {
  ClusterCommand,
  ClusterMapState,
  ClusterResult,
  Member,
  VolumeRecord,
} from '../../node/cluster/cluster-map-types.js';
import {
  CmInvalidRequestError,
  NotOwnerError,
  OutcomeUnknownError,
  StripeUnavailableError,
  VolumeNotFoundError,
} from '../../node/cm/errors.js';
import type {
  StripeRead,
  StripeReadResult,
  StripeService,
  StripeWrite,
  StripeWriteResult,
} from '../../node/cm/requests.js';
import { bindServer } from '../../node/grpc/server.js';
import { volumesService } from '../../node/grpc/volume-service.js';
import { addServices } from '../../proto/pipe.js';
import { unary } from '../../node/grpc/status-mapping.js';
import type { ClusterHandlers } from '../../proto/generated/tessera/v1/Cluster.js';

/** One request as a fake CM received it, and how it ended. */
export interface CallRecord {
  readonly node: string;
  readonly kind: 'write' | 'read';
  readonly volume: string;
  readonly stripe: number;
  readonly offset: number;
  readonly length: number;
  readonly writerId: string;
  readonly writerSeq: number;
  readonly parts: number;
  readonly firstPart: number;
  readonly retry: boolean;
  outcome: 'not_owner' | 'unavailable' | 'outcome_unknown' | 'applied' | 'repeated' | 'read';
}

/** A fault the next requests meet (each counts down once per request that reaches an owner). */
export type Fault = 'UNAVAILABLE' | 'OUTCOME_UNKNOWN';

/** A reply a fake CM holds back until the test releases it. */
export interface HeldReply {
  readonly record: CallRecord;
  release(): void;
}

/** The shared state of the fake cluster: the map, the volumes' bytes, the record of calls. */
export class FakeState {
  map: ClusterMapState;
  /** When set, View serves this map instead (a member that lags behind). */
  viewMap: ClusterMapState | null = null;
  readonly bytes = new Map<string, Buffer>();
  readonly calls: CallRecord[] = [];
  /** Events applied, by volume/stripe/writer/seq, with how often they were applied. */
  readonly applied = new Map<string, { result: StripeWriteResult; times: number }>();
  readonly faults: Fault[] = [];
  views = 0;
  /** Write and read requests that reached a fake CM, refused ones included. */
  requests = 0;
  /** Writes being served now, and the most at once. */
  inflight = 0;
  inflightMax = 0;
  holding = false;
  readonly held: HeldReply[] = [];
  private readonly stripeSeqs = new Map<string, number>();
  private readonly watchers: (() => void)[] = [];

  constructor(map: ClusterMapState) {
    this.map = map;
  }

  volume(name: string): VolumeRecord | undefined {
    return this.map.volumes.find((volume) => volume.name === name);
  }

  /** The owner of a stripe in the current map, as the CMs compute it. */
  ownerOf(volume: string, stripe: number): string | null {
    const record = this.map.epochs.find((epoch) => epoch.epoch === this.map.epoch)!;
    return owner(stripeKey(volume, stripe), cmSetOf(this.map.epoch, record.cmSet));
  }

  /** A new epoch whose CM set is `cmSet` (the members left out are down). */
  advanceEpoch(cmSet: string[]): void {
    const epoch = this.map.epoch + 1;
    this.map = {
      ...this.map,
      epoch,
      appliedIndex: this.map.appliedIndex + 1,
      members: this.map.members.map((member) => ({
        ...member,
        state: cmSet.includes(member.id) ? 'up' : 'down',
      })),
      epochs: [...this.map.epochs, { epoch, cmSet, topologyVersion: 1, index: epoch }],
    };
  }

  /** Resolves once `condition` holds (checked after every change the fake CMs make). */
  until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!condition()) return;
        this.watchers.splice(this.watchers.indexOf(check), 1);
        resolve();
      };
      this.watchers.push(check);
    });
  }

  /** Lets every held reply go, and stops holding new ones. */
  releaseAll(): void {
    this.holding = false;
    for (const reply of this.held.splice(0)) reply.release();
  }

  writes(): CallRecord[] {
    return this.calls.filter((call) => call.kind === 'write');
  }

  changed(): void {
    for (const watcher of [...this.watchers]) watcher();
  }

  nextStripeSeq(volume: string, stripe: number): number {
    const key = `${volume}/${stripe}`;
    const seq = (this.stripeSeqs.get(key) ?? 0) + 1;
    this.stripeSeqs.set(key, seq);
    return seq;
  }

  /** The volume's bytes [offset, offset + length), zeros where never written. */
  read(volume: string, offset: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    this.bytes.get(volume)?.copy(out, 0, offset, offset + length);
    return out;
  }

  write(volume: string, offset: number, bytes: Uint8Array): void {
    let stored = this.bytes.get(volume) ?? Buffer.alloc(0);
    if (stored.length < offset + bytes.length) {
      const grown = Buffer.alloc(offset + bytes.length);
      stored.copy(grown);
      stored = grown;
    }
    stored.set(bytes, offset);
    this.bytes.set(volume, stored);
  }
}

/** The fake consistency manager of one node. */
export class FakeStripeService implements StripeService {
  constructor(
    readonly nodeId: string,
    private readonly state: FakeState,
  ) {}

  async write(request: StripeWrite): Promise<StripeWriteResult> {
    this.state.requests++;
    const { record: volume, stripe } = this.locate(
      request.volume,
      request.offset,
      request.bytes.length,
    );
    const state = this.state;
    const record: CallRecord = {
      node: this.nodeId,
      kind: 'write',
      volume: request.volume,
      stripe,
      offset: request.offset,
      length: request.bytes.length,
      writerId: request.writer.writerId,
      writerSeq: request.writer.writerSeq,
      parts: request.writer.parts,
      firstPart: request.writer.firstPart,
      retry: request.retry,
      outcome: 'applied',
    };
    state.calls.push(record);
    try {
      this.checkOwner(record);
      const fault = state.faults.shift();
      if (fault === 'UNAVAILABLE') {
        record.outcome = 'unavailable';
        throw new StripeUnavailableError(`fewer than ${volume.writeQuorum} fragments reachable`);
      }
      state.inflight++;
      state.inflightMax = Math.max(state.inflightMax, state.inflight);
      try {
        const key = `${request.volume}/${stripe}/${request.writer.writerId}/${request.writer.writerSeq}`;
        const earlier = state.applied.get(key);
        let result: StripeWriteResult;
        if (earlier && request.retry) {
          record.outcome = 'repeated';
          result = earlier.result;
        } else {
          state.write(request.volume, request.offset, request.bytes);
          const seq = state.nextStripeSeq(request.volume, stripe);
          result = {
            stripe,
            pieces: this.pieces(volume, request.offset, request.bytes.length, seq),
          };
          state.applied.set(key, { result, times: (earlier?.times ?? 0) + 1 });
        }
        if (fault === 'OUTCOME_UNKNOWN') {
          record.outcome = 'outcome_unknown';
          throw new OutcomeUnknownError('the write reached fewer than q fragments');
        }
        if (state.holding) {
          await new Promise<void>((release) => {
            state.held.push({ record, release });
            state.changed();
          });
        }
        return result;
      } finally {
        state.inflight--;
      }
    } finally {
      state.changed();
    }
  }

  async read(request: StripeRead): Promise<StripeReadResult> {
    this.state.requests++;
    const { record: volume, stripe } = this.locate(request.volume, request.offset, request.length);
    const record: CallRecord = {
      node: this.nodeId,
      kind: 'read',
      volume: request.volume,
      stripe,
      offset: request.offset,
      length: request.length,
      writerId: '',
      writerSeq: 0,
      parts: 0,
      firstPart: 0,
      retry: false,
      outcome: 'read',
    };
    this.state.calls.push(record);
    try {
      this.checkOwner(record);
      const fault = this.state.faults.shift();
      if (fault) {
        record.outcome = 'unavailable';
        throw new StripeUnavailableError('fewer than k fragments reachable');
      }
      return Promise.resolve({
        bytes: this.state.read(request.volume, request.offset, request.length),
        pieces: this.pieces(volume, request.offset, request.length, 1),
        degraded: false,
      });
    } finally {
      this.state.changed();
    }
  }

  private locate(
    name: string,
    offset: number,
    length: number,
  ): { record: VolumeRecord; stripe: number } {
    const record = this.state.volume(name);
    if (!record) throw new VolumeNotFoundError(name);
    const stripeBytes = record.k * record.blockBytes;
    const stripe = Math.floor(offset / stripeBytes);
    if (offset + length > (stripe + 1) * stripeBytes)
      throw new CmInvalidRequestError('offset', `the range crosses the end of stripe ${stripe}`);
    return { record, stripe };
  }

  private checkOwner(record: CallRecord): void {
    const owner = this.state.ownerOf(record.volume, record.stripe);
    if (owner !== this.nodeId) {
      record.outcome = 'not_owner';
      throw new NotOwnerError(owner, this.state.map.epoch, `${record.volume}/${record.stripe}`);
    }
  }

  private pieces(volume: VolumeRecord, offset: number, length: number, seq: number) {
    const first = Math.floor(offset / volume.blockBytes);
    const last = Math.floor((offset + length - 1) / volume.blockBytes);
    return Array.from({ length: last - first + 1 }, (_, at) => ({
      index: (first + at) % volume.k,
      version: { epoch: this.state.map.epoch, seq },
    }));
  }
}

/** A node of the fake cluster: its id, address and server. */
export interface FakeNode {
  readonly id: string;
  readonly address: string;
  readonly service: FakeStripeService;
  server: grpc.Server;
}

/** A running fake cluster. */
export interface FakeCluster {
  readonly state: FakeState;
  readonly nodes: FakeNode[];
  /** Every node's address: the seeds to connect with. */
  readonly seeds: string[];
  /** Cuts a node's connections at once (its calls in flight fail) and stops it. */
  kill(node: FakeNode): void;
  /** Serves a stopped node again on the same address. */
  restart(node: FakeNode): Promise<void>;
  /** Stops every server and lets every held reply go. */
  stop(): Promise<void>;
}

/** The volume record of a create_volume, as the map would keep it. */
export function volumeRecord(
  name: string,
  k: number,
  m: number,
  blockBytes: number,
  writeQuorum = k + 1,
): VolumeRecord {
  return {
    name,
    k,
    m,
    blockBytes,
    writeQuorum,
    rule: { level: 'node', maxPerDomain: 1 },
    ruleReason: 'one node per fragment (test)',
    createdIndex: 1,
  };
}

/** Starts `nodeCount` nodes serving a map with `volumes`, epoch 1, every node up. */
export async function startFakeCluster(
  nodeCount: number,
  volumes: VolumeRecord[],
): Promise<FakeCluster> {
  const ids = Array.from({ length: nodeCount }, (_, at) => `n${at + 1}`);
  const state = new FakeState({
    members: [],
    epoch: 1,
    topologyVersion: 1,
    epochs: [{ epoch: 1, cmSet: ids, topologyVersion: 1, index: 1 }],
    volumes,
    marks: [],
    aborts: [],
    appliedIndex: 1,
  });
  const nodes: FakeNode[] = [];
  for (const id of ids) {
    const service = new FakeStripeService(id, state);
    const server = serverFor(id, state, service);
    nodes.push({ id, service, server, address: await bindServer(server, '127.0.0.1:0') });
  }
  state.map.members = nodes.map((node, at): Member => ({
    id: node.id,
    raftId: at + 1,
    region: 'r1',
    zone: `z${at + 1}`,
    weight: 1,
    state: 'up',
    grpcAddress: node.address,
    adminAddress: '127.0.0.1:0',
  }));
  return {
    state,
    nodes,
    seeds: nodes.map((node) => node.address),
    kill: (node) => node.server.forceShutdown(),
    restart: async (node) => {
      node.server = serverFor(node.id, state, node.service);
      await bindServer(node.server, node.address);
    },
    stop: async () => {
      state.releaseAll();
      for (const node of nodes) node.server.forceShutdown();
      await Promise.resolve();
    },
  };
}

function serverFor(id: string, state: FakeState, service: FakeStripeService): grpc.Server {
  const server = new grpc.Server(CHANNEL_OPTIONS);
  // The Cluster service's View and Propose over the fake map (the rest answer UNIMPLEMENTED).
  const handlers: Pick<ClusterHandlers, 'View' | 'Propose'> = {
    View: unary(() => {
      state.views++;
      return Promise.resolve({ nodeId: id, mapJson: JSON.stringify(state.viewMap ?? state.map) });
    }),
    Propose: unary((request) => {
      const result = propose(state, JSON.parse(request.commandJson) as ClusterCommand);
      return Promise.resolve({ resultJson: JSON.stringify(result), index: state.map.appliedIndex });
    }),
  };
  addServices(server, [
    [clusterProto().tessera.v1.Cluster.service, handlers],
    volumesService(service),
  ]);
  return server;
}

function propose(state: FakeState, command: ClusterCommand): ClusterResult {
  if (command.type !== 'create_volume')
    return { ok: false, code: 'INVALID_COMMAND', message: `the fake does not do ${command.type}` };
  const create = command;
  if (state.volume(create.name))
    return { ok: false, code: 'ALREADY_EXISTS', message: `volume ${create.name} already exists` };
  if (
    !Number.isInteger(create.blockBytes) ||
    create.blockBytes < 4096 ||
    (create.blockBytes & (create.blockBytes - 1)) !== 0
  )
    return {
      ok: false,
      code: 'INVALID_ARGUMENT',
      message: `blockBytes: must be a power of two from 4096, got ${create.blockBytes}`,
    };
  const volume = volumeRecord(
    create.name,
    create.k,
    create.m,
    create.blockBytes,
    create.writeQuorum,
  );
  state.map = {
    ...state.map,
    appliedIndex: state.map.appliedIndex + 1,
    volumes: [...state.map.volumes, volume],
  };
  return { ok: true, epoch: state.map.epoch, topologyVersion: 1, volume };
}
