// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface DeliverReply {
  'received'?: (number | string | Long);
}

export interface DeliverReply__Output {
  'received': (number);
}
