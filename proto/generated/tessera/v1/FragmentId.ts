// Original file: proto/fragments.proto

import type { Long } from '@grpc/proto-loader';

export interface FragmentId {
  'volume'?: (string);
  'stripe'?: (number | string | Long);
  'index'?: (number);
}

export interface FragmentId__Output {
  'volume': (string);
  'stripe': (number);
  'index': (number);
}
