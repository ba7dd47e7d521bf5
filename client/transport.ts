/**
 * The calls the SDK makes to the nodes, as one small interface: the Cluster service's View and
 * Propose, and the Volumes service's Write and Read at one node's address. The SDK reaches the
 * network only through it, so that a simulator can hand in its own (grpc-transport.ts is the real
 * one). Every method rejects with a TesseraError (errors.ts) rebuilt from the node's answer.
 */

/** The version (epoch, seq) a fragment holds. */
export interface FragmentVersion {
  readonly epoch: number;
  readonly seq: number;
}

/** A data fragment a request touched and the version that holds (or served) it. */
export interface PieceVersion {
  readonly index: number;
  readonly version: FragmentVersion;
}

/** Who writes and which of their events this is (the CM's WriterEvent). */
export interface WriterEvent {
  readonly writerId: string;
  readonly writerSeq: number;
  readonly eventTimeMs: number;
  readonly parts: number;
  readonly firstPart: number;
}

/** Bytes for a range of a volume inside one stripe (the CM's StripeWrite). */
export interface StripeWriteRequest {
  readonly volume: string;
  readonly offset: number;
  readonly bytes: Uint8Array;
  readonly writer: WriterEvent;
  /** True when this event was sent before and its outcome is not known. */
  readonly retry: boolean;
}

/** Where an acknowledged stripe write landed (the CM's StripeWriteResult). */
export interface StripeWriteReply {
  readonly stripe: number;
  readonly pieces: readonly PieceVersion[];
}

/** A range of a volume inside one stripe (the CM's StripeRead). */
export interface StripeReadRequest {
  readonly volume: string;
  readonly offset: number;
  readonly length: number;
}

/** The bytes of a stripe read (the CM's StripeReadResult). */
export interface StripeReadReply {
  readonly bytes: Uint8Array;
  readonly pieces: readonly PieceVersion[];
  readonly degraded: boolean;
}

/** A proposal's answer: the command's result as JSON and the log index that applied it. */
export interface ProposeReply {
  readonly resultJson: string;
  readonly index: number;
}

/** The SDK's way to the nodes. `address` is a member's host:port. */
export interface Transport {
  /** The cluster map as the node at `address` has applied it (Cluster.View map_json). */
  view(address: string): Promise<string>;
  /** Proposes a cluster-map command (JSON) through the node at `address`. */
  propose(address: string, commandJson: string): Promise<ProposeReply>;
  write(address: string, request: StripeWriteRequest): Promise<StripeWriteReply>;
  read(address: string, request: StripeReadRequest): Promise<StripeReadReply>;
  /** Closes every connection; calls in flight may fail. */
  close(): void;
}
