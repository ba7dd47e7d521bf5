// Original file: proto/fragments.proto

import type { Long } from '@grpc/proto-loader';

export interface Version {
  'epoch'?: (number);
  'seq'?: (number | string | Long);
}

export interface Version__Output {
  'epoch': (number);
  'seq': (number);
}
