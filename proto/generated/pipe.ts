import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { PipeClient as _tessera_v1_PipeClient, PipeDefinition as _tessera_v1_PipeDefinition } from './tessera/v1/Pipe.js';
import type { PipeFrame as _tessera_v1_PipeFrame, PipeFrame__Output as _tessera_v1_PipeFrame__Output } from './tessera/v1/PipeFrame.js';
import type { SocketReply as _tessera_v1_SocketReply, SocketReply__Output as _tessera_v1_SocketReply__Output } from './tessera/v1/SocketReply.js';
import type { SocketRequest as _tessera_v1_SocketRequest, SocketRequest__Output as _tessera_v1_SocketRequest__Output } from './tessera/v1/SocketRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tessera: {
    v1: {
      Pipe: SubtypeConstructor<typeof grpc.Client, _tessera_v1_PipeClient> & { service: _tessera_v1_PipeDefinition }
      PipeFrame: MessageTypeDefinition<_tessera_v1_PipeFrame, _tessera_v1_PipeFrame__Output>
      SocketReply: MessageTypeDefinition<_tessera_v1_SocketReply, _tessera_v1_SocketReply__Output>
      SocketRequest: MessageTypeDefinition<_tessera_v1_SocketRequest, _tessera_v1_SocketRequest__Output>
    }
  }
}

