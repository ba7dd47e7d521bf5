// Original file: proto/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DeliverReply as _tessera_v1_DeliverReply, DeliverReply__Output as _tessera_v1_DeliverReply__Output } from '../../tessera/v1/DeliverReply.js';
import type { RaftEnvelope as _tessera_v1_RaftEnvelope, RaftEnvelope__Output as _tessera_v1_RaftEnvelope__Output } from '../../tessera/v1/RaftEnvelope.js';

export interface RaftClient extends grpc.Client {
  Deliver(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_DeliverReply__Output>): grpc.ClientWritableStream<_tessera_v1_RaftEnvelope>;
  Deliver(metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_DeliverReply__Output>): grpc.ClientWritableStream<_tessera_v1_RaftEnvelope>;
  Deliver(options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_DeliverReply__Output>): grpc.ClientWritableStream<_tessera_v1_RaftEnvelope>;
  Deliver(callback: grpc.requestCallback<_tessera_v1_DeliverReply__Output>): grpc.ClientWritableStream<_tessera_v1_RaftEnvelope>;
  deliver(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_DeliverReply__Output>): grpc.ClientWritableStream<_tessera_v1_RaftEnvelope>;
  deliver(metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_DeliverReply__Output>): grpc.ClientWritableStream<_tessera_v1_RaftEnvelope>;
  deliver(options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_DeliverReply__Output>): grpc.ClientWritableStream<_tessera_v1_RaftEnvelope>;
  deliver(callback: grpc.requestCallback<_tessera_v1_DeliverReply__Output>): grpc.ClientWritableStream<_tessera_v1_RaftEnvelope>;
  
}

export interface RaftHandlers extends grpc.UntypedServiceImplementation {
  Deliver: grpc.handleClientStreamingCall<_tessera_v1_RaftEnvelope__Output, _tessera_v1_DeliverReply>;
  
}

export interface RaftDefinition extends grpc.ServiceDefinition {
  Deliver: MethodDefinition<_tessera_v1_RaftEnvelope, _tessera_v1_DeliverReply, _tessera_v1_RaftEnvelope__Output, _tessera_v1_DeliverReply__Output>
}
