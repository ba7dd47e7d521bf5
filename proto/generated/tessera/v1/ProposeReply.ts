// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface ProposeReply {
  'resultJson'?: (string);
  'index'?: (number | string | Long);
}

export interface ProposeReply__Output {
  'resultJson': (string);
  'index': (number);
}
