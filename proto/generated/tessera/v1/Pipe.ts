// Original file: proto/pipe.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { PipeFrame as _tessera_v1_PipeFrame, PipeFrame__Output as _tessera_v1_PipeFrame__Output } from '../../tessera/v1/PipeFrame.js';
import type { SocketReply as _tessera_v1_SocketReply, SocketReply__Output as _tessera_v1_SocketReply__Output } from '../../tessera/v1/SocketReply.js';
import type { SocketRequest as _tessera_v1_SocketRequest, SocketRequest__Output as _tessera_v1_SocketRequest__Output } from '../../tessera/v1/SocketRequest.js';

export interface PipeClient extends grpc.Client {
  Open(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output>;
  Open(options?: grpc.CallOptions): grpc.ClientDuplexStream<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output>;
  open(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output>;
  open(options?: grpc.CallOptions): grpc.ClientDuplexStream<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output>;
  
  Socket(argument: _tessera_v1_SocketRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_SocketReply__Output>): grpc.ClientUnaryCall;
  Socket(argument: _tessera_v1_SocketRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_SocketReply__Output>): grpc.ClientUnaryCall;
  Socket(argument: _tessera_v1_SocketRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_SocketReply__Output>): grpc.ClientUnaryCall;
  Socket(argument: _tessera_v1_SocketRequest, callback: grpc.requestCallback<_tessera_v1_SocketReply__Output>): grpc.ClientUnaryCall;
  socket(argument: _tessera_v1_SocketRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_SocketReply__Output>): grpc.ClientUnaryCall;
  socket(argument: _tessera_v1_SocketRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_SocketReply__Output>): grpc.ClientUnaryCall;
  socket(argument: _tessera_v1_SocketRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_SocketReply__Output>): grpc.ClientUnaryCall;
  socket(argument: _tessera_v1_SocketRequest, callback: grpc.requestCallback<_tessera_v1_SocketReply__Output>): grpc.ClientUnaryCall;
  
}

export interface PipeHandlers extends grpc.UntypedServiceImplementation {
  Open: grpc.handleBidiStreamingCall<_tessera_v1_PipeFrame__Output, _tessera_v1_PipeFrame>;
  
  Socket: grpc.handleUnaryCall<_tessera_v1_SocketRequest__Output, _tessera_v1_SocketReply>;
  
}

export interface PipeDefinition extends grpc.ServiceDefinition {
  Open: MethodDefinition<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output, _tessera_v1_PipeFrame__Output>
  Socket: MethodDefinition<_tessera_v1_SocketRequest, _tessera_v1_SocketReply, _tessera_v1_SocketRequest__Output, _tessera_v1_SocketReply__Output>
}
