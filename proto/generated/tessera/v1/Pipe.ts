// Original file: proto/pipe.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { PipeFrame as _tessera_v1_PipeFrame, PipeFrame__Output as _tessera_v1_PipeFrame__Output } from '../../tessera/v1/PipeFrame.js';

export interface PipeClient extends grpc.Client {
  Open(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output>;
  Open(options?: grpc.CallOptions): grpc.ClientDuplexStream<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output>;
  open(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output>;
  open(options?: grpc.CallOptions): grpc.ClientDuplexStream<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output>;
  
}

export interface PipeHandlers extends grpc.UntypedServiceImplementation {
  Open: grpc.handleBidiStreamingCall<_tessera_v1_PipeFrame__Output, _tessera_v1_PipeFrame>;
  
}

export interface PipeDefinition extends grpc.ServiceDefinition {
  Open: MethodDefinition<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output, _tessera_v1_PipeFrame__Output>
}
