// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface JoinReply {
  'epoch'?: (number | string | Long);
}

export interface JoinReply__Output {
  'epoch': (number);
}
