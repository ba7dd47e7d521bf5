// Original file: proto/cluster.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { JoinReply as _tessera_v1_JoinReply, JoinReply__Output as _tessera_v1_JoinReply__Output } from '../../tessera/v1/JoinReply.js';
import type { JoinRequest as _tessera_v1_JoinRequest, JoinRequest__Output as _tessera_v1_JoinRequest__Output } from '../../tessera/v1/JoinRequest.js';
import type { NodeView as _tessera_v1_NodeView, NodeView__Output as _tessera_v1_NodeView__Output } from '../../tessera/v1/NodeView.js';
import type { NodeViewRequest as _tessera_v1_NodeViewRequest, NodeViewRequest__Output as _tessera_v1_NodeViewRequest__Output } from '../../tessera/v1/NodeViewRequest.js';
import type { ProposeReply as _tessera_v1_ProposeReply, ProposeReply__Output as _tessera_v1_ProposeReply__Output } from '../../tessera/v1/ProposeReply.js';
import type { ProposeRequest as _tessera_v1_ProposeRequest, ProposeRequest__Output as _tessera_v1_ProposeRequest__Output } from '../../tessera/v1/ProposeRequest.js';
import type { ReadIndexReply as _tessera_v1_ReadIndexReply, ReadIndexReply__Output as _tessera_v1_ReadIndexReply__Output } from '../../tessera/v1/ReadIndexReply.js';
import type { ReadIndexRequest as _tessera_v1_ReadIndexRequest, ReadIndexRequest__Output as _tessera_v1_ReadIndexRequest__Output } from '../../tessera/v1/ReadIndexRequest.js';
import type { RemoveReply as _tessera_v1_RemoveReply, RemoveReply__Output as _tessera_v1_RemoveReply__Output } from '../../tessera/v1/RemoveReply.js';
import type { RemoveRequest as _tessera_v1_RemoveRequest, RemoveRequest__Output as _tessera_v1_RemoveRequest__Output } from '../../tessera/v1/RemoveRequest.js';

export interface ClusterClient extends grpc.Client {
  Join(argument: _tessera_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_JoinReply__Output>): grpc.ClientUnaryCall;
  Join(argument: _tessera_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_JoinReply__Output>): grpc.ClientUnaryCall;
  Join(argument: _tessera_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_JoinReply__Output>): grpc.ClientUnaryCall;
  Join(argument: _tessera_v1_JoinRequest, callback: grpc.requestCallback<_tessera_v1_JoinReply__Output>): grpc.ClientUnaryCall;
  join(argument: _tessera_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_JoinReply__Output>): grpc.ClientUnaryCall;
  join(argument: _tessera_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_JoinReply__Output>): grpc.ClientUnaryCall;
  join(argument: _tessera_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_JoinReply__Output>): grpc.ClientUnaryCall;
  join(argument: _tessera_v1_JoinRequest, callback: grpc.requestCallback<_tessera_v1_JoinReply__Output>): grpc.ClientUnaryCall;
  
  Propose(argument: _tessera_v1_ProposeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  Propose(argument: _tessera_v1_ProposeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  Propose(argument: _tessera_v1_ProposeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  Propose(argument: _tessera_v1_ProposeRequest, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  propose(argument: _tessera_v1_ProposeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  propose(argument: _tessera_v1_ProposeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  propose(argument: _tessera_v1_ProposeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  propose(argument: _tessera_v1_ProposeRequest, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  
  ReadIndex(argument: _tessera_v1_ReadIndexRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ReadIndexReply__Output>): grpc.ClientUnaryCall;
  ReadIndex(argument: _tessera_v1_ReadIndexRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_ReadIndexReply__Output>): grpc.ClientUnaryCall;
  ReadIndex(argument: _tessera_v1_ReadIndexRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ReadIndexReply__Output>): grpc.ClientUnaryCall;
  ReadIndex(argument: _tessera_v1_ReadIndexRequest, callback: grpc.requestCallback<_tessera_v1_ReadIndexReply__Output>): grpc.ClientUnaryCall;
  readIndex(argument: _tessera_v1_ReadIndexRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ReadIndexReply__Output>): grpc.ClientUnaryCall;
  readIndex(argument: _tessera_v1_ReadIndexRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_ReadIndexReply__Output>): grpc.ClientUnaryCall;
  readIndex(argument: _tessera_v1_ReadIndexRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ReadIndexReply__Output>): grpc.ClientUnaryCall;
  readIndex(argument: _tessera_v1_ReadIndexRequest, callback: grpc.requestCallback<_tessera_v1_ReadIndexReply__Output>): grpc.ClientUnaryCall;
  
  Remove(argument: _tessera_v1_RemoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_RemoveReply__Output>): grpc.ClientUnaryCall;
  Remove(argument: _tessera_v1_RemoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_RemoveReply__Output>): grpc.ClientUnaryCall;
  Remove(argument: _tessera_v1_RemoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_RemoveReply__Output>): grpc.ClientUnaryCall;
  Remove(argument: _tessera_v1_RemoveRequest, callback: grpc.requestCallback<_tessera_v1_RemoveReply__Output>): grpc.ClientUnaryCall;
  remove(argument: _tessera_v1_RemoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_RemoveReply__Output>): grpc.ClientUnaryCall;
  remove(argument: _tessera_v1_RemoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_RemoveReply__Output>): grpc.ClientUnaryCall;
  remove(argument: _tessera_v1_RemoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_RemoveReply__Output>): grpc.ClientUnaryCall;
  remove(argument: _tessera_v1_RemoveRequest, callback: grpc.requestCallback<_tessera_v1_RemoveReply__Output>): grpc.ClientUnaryCall;
  
  View(argument: _tessera_v1_NodeViewRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_NodeView__Output>): grpc.ClientUnaryCall;
  View(argument: _tessera_v1_NodeViewRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_NodeView__Output>): grpc.ClientUnaryCall;
  View(argument: _tessera_v1_NodeViewRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_NodeView__Output>): grpc.ClientUnaryCall;
  View(argument: _tessera_v1_NodeViewRequest, callback: grpc.requestCallback<_tessera_v1_NodeView__Output>): grpc.ClientUnaryCall;
  view(argument: _tessera_v1_NodeViewRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_NodeView__Output>): grpc.ClientUnaryCall;
  view(argument: _tessera_v1_NodeViewRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_NodeView__Output>): grpc.ClientUnaryCall;
  view(argument: _tessera_v1_NodeViewRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_NodeView__Output>): grpc.ClientUnaryCall;
  view(argument: _tessera_v1_NodeViewRequest, callback: grpc.requestCallback<_tessera_v1_NodeView__Output>): grpc.ClientUnaryCall;
  
}

export interface ClusterHandlers extends grpc.UntypedServiceImplementation {
  Join: grpc.handleUnaryCall<_tessera_v1_JoinRequest__Output, _tessera_v1_JoinReply>;
  
  Propose: grpc.handleUnaryCall<_tessera_v1_ProposeRequest__Output, _tessera_v1_ProposeReply>;
  
  ReadIndex: grpc.handleUnaryCall<_tessera_v1_ReadIndexRequest__Output, _tessera_v1_ReadIndexReply>;
  
  Remove: grpc.handleUnaryCall<_tessera_v1_RemoveRequest__Output, _tessera_v1_RemoveReply>;
  
  View: grpc.handleUnaryCall<_tessera_v1_NodeViewRequest__Output, _tessera_v1_NodeView>;
  
}

export interface ClusterDefinition extends grpc.ServiceDefinition {
  Join: MethodDefinition<_tessera_v1_JoinRequest, _tessera_v1_JoinReply, _tessera_v1_JoinRequest__Output, _tessera_v1_JoinReply__Output>
  Propose: MethodDefinition<_tessera_v1_ProposeRequest, _tessera_v1_ProposeReply, _tessera_v1_ProposeRequest__Output, _tessera_v1_ProposeReply__Output>
  ReadIndex: MethodDefinition<_tessera_v1_ReadIndexRequest, _tessera_v1_ReadIndexReply, _tessera_v1_ReadIndexRequest__Output, _tessera_v1_ReadIndexReply__Output>
  Remove: MethodDefinition<_tessera_v1_RemoveRequest, _tessera_v1_RemoveReply, _tessera_v1_RemoveRequest__Output, _tessera_v1_RemoveReply__Output>
  View: MethodDefinition<_tessera_v1_NodeViewRequest, _tessera_v1_NodeView, _tessera_v1_NodeViewRequest__Output, _tessera_v1_NodeView__Output>
}
