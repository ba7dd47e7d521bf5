// Original file: proto/volumes.proto

import type { Long } from '@grpc/proto-loader';

export interface VolumeScrubRequest {
  'volume'?: (string);
  'stripe'?: (number | string | Long);
}

export interface VolumeScrubRequest__Output {
  'volume': (string);
  'stripe': (number);
}
