/**
 * The real Transport: grpc-js clients of each node's Cluster and Volumes services, one channel per
 * node address (both share it), opened on first use and kept until close(). Writes and reads go
 * on one stream per node (proto/pipe.ts), the Cluster calls as unary calls. A failed call becomes
 * the typed error of its tessera-code metadata (errors.ts).
 */
import * as grpc from '@grpc/grpc-js';
import type { ClusterClient } from '../proto/generated/tessera/v1/Cluster.js';
import type { NodeView__Output } from '../proto/generated/tessera/v1/NodeView.js';
import type { ProposeReply__Output } from '../proto/generated/tessera/v1/ProposeReply.js';
import type { VolumeReadReply__Output } from '../proto/generated/tessera/v1/VolumeReadReply.js';
import type { VolumeWriteReply__Output } from '../proto/generated/tessera/v1/VolumeWriteReply.js';
import type { FragmentPiece__Output } from '../proto/generated/tessera/v1/FragmentPiece.js';
import { CHANNEL_OPTIONS, clusterProto, volumesProto } from '../proto/load.js';
import { PipeClient } from '../proto/pipe.js';
import { errorOfCall, type TesseraError } from './errors.js';
import type {
  PieceVersion,
  ProposeReply,
  StripeReadReply,
  StripeReadRequest,
  StripeWriteReply,
  StripeWriteRequest,
  Transport,
} from './transport.js';

/** How the gRPC transport calls. */
export interface GrpcTransportOptions {
  /** Deadline of a Volumes call (a write waits for its quorum and a Raft read). */
  callDeadlineMs: number;
  /** Deadline of a Cluster call (View, Propose). */
  clusterDeadlineMs: number;
  /**
   * The longest pause between reconnection attempts to a node: short, so that a node that comes
   * back is used again soon (grpc-js's own default grows to two minutes).
   */
  reconnectBackoffMsMax: number;
}

/** Defaults for GrpcTransportOptions. */
export const GRPC_TRANSPORT_DEFAULTS: GrpcTransportOptions = {
  callDeadlineMs: 30_000,
  clusterDeadlineMs: 10_000,
  reconnectBackoffMsMax: 2_000,
};

interface NodeClients {
  cluster: ClusterClient;
  /** Writes and reads go on one stream (proto/pipe.ts), on the cluster client's channel. */
  pipe: PipeClient;
}

type Callback<Reply> = (error: grpc.ServiceError | null, reply?: Reply) => void;

/** The Transport over grpc-js. */
export class GrpcTransport implements Transport {
  private readonly nodes = new Map<string, NodeClients>();
  private readonly options: GrpcTransportOptions;

  constructor(options: Partial<GrpcTransportOptions> = {}) {
    this.options = { ...GRPC_TRANSPORT_DEFAULTS, ...options };
  }

  async view(address: string): Promise<string> {
    const { cluster } = this.clients(address);
    const reply = await call<NodeView__Output>(
      address,
      this.options.clusterDeadlineMs,
      (options, callback) => cluster.View({}, options, callback),
    );
    return reply.mapJson;
  }

  async propose(address: string, commandJson: string): Promise<ProposeReply> {
    const { cluster } = this.clients(address);
    const reply = await call<ProposeReply__Output>(
      address,
      this.options.clusterDeadlineMs,
      (options, callback) => cluster.Propose({ commandJson, hops: 0 }, options, callback),
    );
    return { resultJson: reply.resultJson, index: reply.index };
  }

  async write(address: string, request: StripeWriteRequest): Promise<StripeWriteReply> {
    const { pipe } = this.clients(address);
    const reply = await onPipe<VolumeWriteReply__Output>(
      address,
      pipe.call(
        volumesProto().tessera.v1.Volumes.service.Write,
        request,
        this.options.callDeadlineMs,
      ),
    );
    return { stripe: reply.stripe, pieces: reply.pieces.map(pieceVersion) };
  }

  async read(address: string, request: StripeReadRequest): Promise<StripeReadReply> {
    const { pipe } = this.clients(address);
    const reply = await onPipe<VolumeReadReply__Output>(
      address,
      pipe.call(
        volumesProto().tessera.v1.Volumes.service.Read,
        request,
        this.options.callDeadlineMs,
      ),
    );
    return { bytes: reply.bytes, pieces: reply.pieces.map(pieceVersion), degraded: reply.degraded };
  }

  close(): void {
    for (const clients of this.nodes.values()) {
      clients.pipe.close();
      clients.cluster.close();
    }
    this.nodes.clear();
  }

  private clients(address: string): NodeClients {
    let clients = this.nodes.get(address);
    if (!clients) {
      const options: grpc.ChannelOptions = {
        ...CHANNEL_OPTIONS,
        'grpc.initial_reconnect_backoff_ms': Math.min(100, this.options.reconnectBackoffMsMax),
        'grpc.max_reconnect_backoff_ms': this.options.reconnectBackoffMsMax,
      };
      const credentials = grpc.credentials.createInsecure();
      const cluster = new (clusterProto().tessera.v1.Cluster)(address, credentials, options);
      const pipe = new PipeClient(address, options, cluster);
      clients = { cluster, pipe };
      this.nodes.set(address, clients);
    }
    return clients;
  }
}

/** One unary call with a deadline, as a promise that rejects with a TesseraError. */
function call<Reply>(
  address: string,
  deadlineMs: number,
  invoke: (options: grpc.CallOptions, callback: Callback<Reply>) => grpc.ClientUnaryCall,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    invoke({ deadline: new Date(Date.now() + deadlineMs) }, (error, reply) => {
      if (error) reject(errorOfServiceError(address, error));
      else if (reply === undefined) reject(errorOfServiceError(address, emptyReply()));
      else resolve(reply);
    });
  });
}

/** A call on the pipe, its failure as the typed error of its tessera-code (as for `call`). */
async function onPipe<Reply>(address: string, reply: Promise<Reply>): Promise<Reply> {
  try {
    return await reply;
  } catch (error) {
    throw errorOfServiceError(address, error as grpc.ServiceError);
  }
}

function emptyReply(): grpc.ServiceError {
  return Object.assign(new Error('no reply'), {
    code: grpc.status.INTERNAL,
    details: 'the call ended without a reply',
    metadata: new grpc.Metadata(),
  });
}

/** The typed error of a failed call: its tessera-code (and owner, epoch) or its status. */
export function errorOfServiceError(address: string, error: grpc.ServiceError): TesseraError {
  const first = (key: string): string | undefined => {
    const value = error.metadata?.get(key)[0];
    return typeof value === 'string' ? value : undefined;
  };
  const epoch = first('tessera-epoch');
  return errorOfCall({
    status: grpc.status[error.code] ?? 'UNKNOWN',
    details: error.details || error.message,
    tesseraCode: first('tessera-code'),
    owner: first('tessera-owner'),
    epoch: epoch === undefined ? undefined : Number(epoch),
    address,
  });
}

function pieceVersion(piece: FragmentPiece__Output): PieceVersion {
  return {
    index: piece.index,
    version: { epoch: piece.version?.epoch ?? 0, seq: piece.version?.seq ?? 0 },
  };
}
