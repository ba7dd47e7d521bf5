// Original file: proto/fragments.proto

import type { Long } from '@grpc/proto-loader';

export interface FenceRequest {
  'volume'?: (string);
  'stripe'?: (number | string | Long);
  'epoch'?: (number);
  'seq'?: (number | string | Long);
}

export interface FenceRequest__Output {
  'volume': (string);
  'stripe': (number);
  'epoch': (number);
  'seq': (number);
}
