import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { DeliverReply as _tessera_v1_DeliverReply, DeliverReply__Output as _tessera_v1_DeliverReply__Output } from './tessera/v1/DeliverReply.js';
import type { RaftClient as _tessera_v1_RaftClient, RaftDefinition as _tessera_v1_RaftDefinition } from './tessera/v1/Raft.js';
import type { RaftEnvelope as _tessera_v1_RaftEnvelope, RaftEnvelope__Output as _tessera_v1_RaftEnvelope__Output } from './tessera/v1/RaftEnvelope.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tessera: {
    v1: {
      DeliverReply: MessageTypeDefinition<_tessera_v1_DeliverReply, _tessera_v1_DeliverReply__Output>
      Raft: SubtypeConstructor<typeof grpc.Client, _tessera_v1_RaftClient> & { service: _tessera_v1_RaftDefinition }
      RaftEnvelope: MessageTypeDefinition<_tessera_v1_RaftEnvelope, _tessera_v1_RaftEnvelope__Output>
    }
  }
}

