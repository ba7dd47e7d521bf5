import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ClusterClient as _tessera_v1_ClusterClient, ClusterDefinition as _tessera_v1_ClusterDefinition } from './tessera/v1/Cluster.js';
import type { NodeView as _tessera_v1_NodeView, NodeView__Output as _tessera_v1_NodeView__Output } from './tessera/v1/NodeView.js';
import type { NodeViewRequest as _tessera_v1_NodeViewRequest, NodeViewRequest__Output as _tessera_v1_NodeViewRequest__Output } from './tessera/v1/NodeViewRequest.js';
import type { ProposeReply as _tessera_v1_ProposeReply, ProposeReply__Output as _tessera_v1_ProposeReply__Output } from './tessera/v1/ProposeReply.js';
import type { ProposeRequest as _tessera_v1_ProposeRequest, ProposeRequest__Output as _tessera_v1_ProposeRequest__Output } from './tessera/v1/ProposeRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tessera: {
    v1: {
      Cluster: SubtypeConstructor<typeof grpc.Client, _tessera_v1_ClusterClient> & { service: _tessera_v1_ClusterDefinition }
      NodeView: MessageTypeDefinition<_tessera_v1_NodeView, _tessera_v1_NodeView__Output>
      NodeViewRequest: MessageTypeDefinition<_tessera_v1_NodeViewRequest, _tessera_v1_NodeViewRequest__Output>
      ProposeReply: MessageTypeDefinition<_tessera_v1_ProposeReply, _tessera_v1_ProposeReply__Output>
      ProposeRequest: MessageTypeDefinition<_tessera_v1_ProposeRequest, _tessera_v1_ProposeRequest__Output>
    }
  }
}

