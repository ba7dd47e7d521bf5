// Original file: proto/volumes.proto

import type { Long } from '@grpc/proto-loader';

export interface VolumeReadRequest {
  'volume'?: (string);
  'offset'?: (number | string | Long);
  'length'?: (number | string | Long);
}

export interface VolumeReadRequest__Output {
  'volume': (string);
  'offset': (number);
  'length': (number);
}
