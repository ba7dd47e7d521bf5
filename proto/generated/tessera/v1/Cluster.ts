// Original file: proto/cluster.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { NodeView as _tessera_v1_NodeView, NodeView__Output as _tessera_v1_NodeView__Output } from '../../tessera/v1/NodeView.js';
import type { NodeViewRequest as _tessera_v1_NodeViewRequest, NodeViewRequest__Output as _tessera_v1_NodeViewRequest__Output } from '../../tessera/v1/NodeViewRequest.js';
import type { ProposeReply as _tessera_v1_ProposeReply, ProposeReply__Output as _tessera_v1_ProposeReply__Output } from '../../tessera/v1/ProposeReply.js';
import type { ProposeRequest as _tessera_v1_ProposeRequest, ProposeRequest__Output as _tessera_v1_ProposeRequest__Output } from '../../tessera/v1/ProposeRequest.js';

export interface ClusterClient extends grpc.Client {
  Propose(argument: _tessera_v1_ProposeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  Propose(argument: _tessera_v1_ProposeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  Propose(argument: _tessera_v1_ProposeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  Propose(argument: _tessera_v1_ProposeRequest, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  propose(argument: _tessera_v1_ProposeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  propose(argument: _tessera_v1_ProposeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  propose(argument: _tessera_v1_ProposeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  propose(argument: _tessera_v1_ProposeRequest, callback: grpc.requestCallback<_tessera_v1_ProposeReply__Output>): grpc.ClientUnaryCall;
  
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
  Propose: grpc.handleUnaryCall<_tessera_v1_ProposeRequest__Output, _tessera_v1_ProposeReply>;
  
  View: grpc.handleUnaryCall<_tessera_v1_NodeViewRequest__Output, _tessera_v1_NodeView>;
  
}

export interface ClusterDefinition extends grpc.ServiceDefinition {
  Propose: MethodDefinition<_tessera_v1_ProposeRequest, _tessera_v1_ProposeReply, _tessera_v1_ProposeRequest__Output, _tessera_v1_ProposeReply__Output>
  View: MethodDefinition<_tessera_v1_NodeViewRequest, _tessera_v1_NodeView, _tessera_v1_NodeViewRequest__Output, _tessera_v1_NodeView__Output>
}
