import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ClusterClient as _tessera_v1_ClusterClient, ClusterDefinition as _tessera_v1_ClusterDefinition } from './tessera/v1/Cluster.js';
import type { JoinReply as _tessera_v1_JoinReply, JoinReply__Output as _tessera_v1_JoinReply__Output } from './tessera/v1/JoinReply.js';
import type { JoinRequest as _tessera_v1_JoinRequest, JoinRequest__Output as _tessera_v1_JoinRequest__Output } from './tessera/v1/JoinRequest.js';
import type { NodeView as _tessera_v1_NodeView, NodeView__Output as _tessera_v1_NodeView__Output } from './tessera/v1/NodeView.js';
import type { NodeViewRequest as _tessera_v1_NodeViewRequest, NodeViewRequest__Output as _tessera_v1_NodeViewRequest__Output } from './tessera/v1/NodeViewRequest.js';
import type { ProposeReply as _tessera_v1_ProposeReply, ProposeReply__Output as _tessera_v1_ProposeReply__Output } from './tessera/v1/ProposeReply.js';
import type { ProposeRequest as _tessera_v1_ProposeRequest, ProposeRequest__Output as _tessera_v1_ProposeRequest__Output } from './tessera/v1/ProposeRequest.js';
import type { ReadIndexReply as _tessera_v1_ReadIndexReply, ReadIndexReply__Output as _tessera_v1_ReadIndexReply__Output } from './tessera/v1/ReadIndexReply.js';
import type { ReadIndexRequest as _tessera_v1_ReadIndexRequest, ReadIndexRequest__Output as _tessera_v1_ReadIndexRequest__Output } from './tessera/v1/ReadIndexRequest.js';
import type { RemoveReply as _tessera_v1_RemoveReply, RemoveReply__Output as _tessera_v1_RemoveReply__Output } from './tessera/v1/RemoveReply.js';
import type { RemoveRequest as _tessera_v1_RemoveRequest, RemoveRequest__Output as _tessera_v1_RemoveRequest__Output } from './tessera/v1/RemoveRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tessera: {
    v1: {
      Cluster: SubtypeConstructor<typeof grpc.Client, _tessera_v1_ClusterClient> & { service: _tessera_v1_ClusterDefinition }
      JoinReply: MessageTypeDefinition<_tessera_v1_JoinReply, _tessera_v1_JoinReply__Output>
      JoinRequest: MessageTypeDefinition<_tessera_v1_JoinRequest, _tessera_v1_JoinRequest__Output>
      NodeView: MessageTypeDefinition<_tessera_v1_NodeView, _tessera_v1_NodeView__Output>
      NodeViewRequest: MessageTypeDefinition<_tessera_v1_NodeViewRequest, _tessera_v1_NodeViewRequest__Output>
      ProposeReply: MessageTypeDefinition<_tessera_v1_ProposeReply, _tessera_v1_ProposeReply__Output>
      ProposeRequest: MessageTypeDefinition<_tessera_v1_ProposeRequest, _tessera_v1_ProposeRequest__Output>
      ReadIndexReply: MessageTypeDefinition<_tessera_v1_ReadIndexReply, _tessera_v1_ReadIndexReply__Output>
      ReadIndexRequest: MessageTypeDefinition<_tessera_v1_ReadIndexRequest, _tessera_v1_ReadIndexRequest__Output>
      RemoveReply: MessageTypeDefinition<_tessera_v1_RemoveReply, _tessera_v1_RemoveReply__Output>
      RemoveRequest: MessageTypeDefinition<_tessera_v1_RemoveRequest, _tessera_v1_RemoveRequest__Output>
    }
  }
}

