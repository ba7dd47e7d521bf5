/**
 * Tessera's client SDK for writers: connect to a cluster, create and open volumes, write and read
 * byte ranges routed straight to each stripe's consistency manager, and stream write events
 * through a journal with acknowledgements, back-pressure and resumption. See docs/client.md.
 * The SDK builds on proto/, placement/ and erasure/ only; it never imports node/.
 */
export {
  connect,
  Cluster,
  CONNECT_DEFAULTS,
  type ConnectOptions,
  type CreateVolumeOptions,
} from './cluster.js';
export { Volume, type WriteOptions, type WriteResult } from './volume.js';
export {
  Journal,
  JOURNAL_DEFAULTS,
  type JournalAck,
  type JournalEvent,
  type JournalEvents,
  type JournalOptions,
} from './journal.js';
export {
  TesseraError,
  NotFoundError,
  AlreadyExistsError,
  InvalidArgumentError,
  UnavailableError,
  OutcomeUnknownError,
  DataLostError,
  NotOwnerError,
  ClosedError,
} from './errors.js';
export type { ClusterMapView, MemberView, EpochView, VolumeInfo } from './cluster-view.js';
export { RETRY_DEFAULTS, type RetryPolicy } from './retry.js';
export { realClientEnv, type ClientEnv, type Ticker } from './env.js';
export {
  GrpcTransport,
  GRPC_TRANSPORT_DEFAULTS,
  type GrpcTransportOptions,
} from './grpc-transport.js';
export type {
  Transport,
  ProposeReply,
  StripeWriteRequest,
  StripeWriteReply,
  StripeReadRequest,
  StripeReadReply,
  PieceVersion,
  FragmentVersion,
  WriterEvent,
} from './transport.js';
export {
  splitEvent,
  stripeOwner,
  type SplitEvent,
  type StripePiece,
  type StripeOwner,
} from './routing.js';
