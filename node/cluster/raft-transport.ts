/**
 * Raft over gRPC: each member keeps one client stream to each peer it sends to and delivers
 * what arrives on its server to the driver. Raft tolerates lost, late and duplicated messages,
 * so a send never waits: a message to a peer whose stream is down is dropped (and counted), and
 * the stream is opened again, with a pause that grows, on the next send.
 */
import * as grpc from '@grpc/grpc-js';
import type { Message, NodeId } from '../../consensus/index.js';
import type { RaftClient, RaftHandlers } from '../../proto/generated/tessera/v1/Raft.js';
import type { RaftEnvelope } from '../../proto/generated/tessera/v1/RaftEnvelope.js';
import { CHANNEL_OPTIONS, raftProto } from '../../proto/load.js';
import { decodeRaftMessage, encodeRaftMessage } from './raft-message-codec.js';

/** Messages buffered in one peer's stream before further sends to it are dropped. */
const STREAM_BUFFER_MAX = 1024;
const RETRY_PAUSE_MS_MIN = 50;
const RETRY_PAUSE_MS_MAX = 2000;
/** grpc-js's own reconnect backoff starts at 1 s and grows to 120 s; Raft wants its peers back fast. */
const RAFT_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  ...CHANNEL_OPTIONS,
  'grpc.initial_reconnect_backoff_ms': RETRY_PAUSE_MS_MIN * 2,
  'grpc.min_reconnect_backoff_ms': RETRY_PAUSE_MS_MIN,
  'grpc.max_reconnect_backoff_ms': RETRY_PAUSE_MS_MAX,
};

interface Peer {
  address: string;
  client: RaftClient;
  stream: grpc.ClientWritableStream<RaftEnvelope> | null;
  buffered: number;
  retryAtMs: number;
  pauseMs: number;
}

export interface TransportCounters {
  sent: number;
  received: number;
  dropped: number;
  refused: number;
}

export class RaftTransport {
  private readonly peers = new Map<NodeId, Peer>();
  /** When a message from each member last arrived (for the failure detector). */
  private readonly heard = new Map<NodeId, number>();
  readonly counters: TransportCounters = { sent: 0, received: 0, dropped: 0, refused: 0 };

  constructor(
    private readonly cluster: string,
    private readonly self: NodeId,
    private readonly deliver: (message: Message) => void,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** The handlers of the Raft service, for this member's gRPC server. */
  handlers(): RaftHandlers {
    return {
      Deliver: (call, callback) => {
        let received = 0;
        call.on(
          'data',
          (envelope: { cluster: string; from: number; to: number; message: Buffer }) => {
            if (envelope.cluster !== this.cluster || envelope.to !== this.self) {
              this.counters.refused++;
              return;
            }
            let message: Message;
            try {
              message = decodeRaftMessage(envelope.message);
            } catch {
              this.counters.refused++;
              return;
            }
            received++;
            this.counters.received++;
            this.heard.set(envelope.from, this.nowMs());
            // The sender is alive: our own stream to it may retry without a long pause.
            const sender = this.peers.get(envelope.from);
            if (sender) sender.pauseMs = RETRY_PAUSE_MS_MIN;
            this.deliver(message);
          },
        );
        call.on('end', () => callback(null, { received }));
        call.on('error', () => {});
      },
    };
  }

  /** When a message from `id` last arrived (undefined: never since this member started). */
  lastHeardMs(id: NodeId): number | undefined {
    return this.heard.get(id);
  }

  /** Sets (or changes) where a peer listens. */
  setPeer(id: NodeId, address: string): void {
    const existing = this.peers.get(id);
    if (existing?.address === address) return;
    if (existing) this.closePeer(existing);
    const Client = raftProto().tessera.v1.Raft;
    this.peers.set(id, {
      address,
      client: new Client(address, grpc.credentials.createInsecure(), RAFT_CHANNEL_OPTIONS),
      stream: null,
      buffered: 0,
      retryAtMs: 0,
      pauseMs: RETRY_PAUSE_MS_MIN,
    });
  }

  removePeer(id: NodeId): void {
    const peer = this.peers.get(id);
    if (peer) this.closePeer(peer);
    this.peers.delete(id);
  }

  /** Sends without waiting; drops the message when the peer's stream is down or full. */
  send(message: Message): void {
    const peer = this.peers.get(message.to);
    if (!peer) {
      this.counters.dropped++;
      return;
    }
    const stream = this.stream(peer);
    if (!stream || peer.buffered >= STREAM_BUFFER_MAX) {
      this.counters.dropped++;
      return;
    }
    peer.buffered++;
    stream.write(
      {
        cluster: this.cluster,
        from: this.self,
        to: message.to,
        message: encodeRaftMessage(message),
      },
      () => {
        peer.buffered--;
      },
    );
    this.counters.sent++;
  }

  close(): void {
    for (const peer of this.peers.values()) this.closePeer(peer);
    this.peers.clear();
  }

  private stream(peer: Peer): grpc.ClientWritableStream<RaftEnvelope> | null {
    if (peer.stream) return peer.stream;
    if (this.nowMs() < peer.retryAtMs) return null;
    const stream = peer.client.Deliver((error) => {
      // The stream ended or broke: open a new one on a later send, after a pause that grows.
      if (peer.stream === stream) peer.stream = null;
      if (error) {
        peer.retryAtMs = this.nowMs() + peer.pauseMs;
        peer.pauseMs = Math.min(RETRY_PAUSE_MS_MAX, peer.pauseMs * 2);
      }
    });
    stream.on('error', () => {});
    stream.on('data', () => {});
    peer.stream = stream;
    peer.buffered = 0;
    return stream;
  }

  private closePeer(peer: Peer): void {
    peer.stream?.end();
    peer.stream = null;
    peer.client.close();
  }
}
