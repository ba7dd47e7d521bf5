// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface RemoveReply {
  'epoch'?: (number | string | Long);
}

export interface RemoveReply__Output {
  'epoch': (number);
}
