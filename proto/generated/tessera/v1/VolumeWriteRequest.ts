// Original file: proto/volumes.proto

import type { WriterEvent as _tessera_v1_WriterEvent, WriterEvent__Output as _tessera_v1_WriterEvent__Output } from '../../tessera/v1/WriterEvent.js';
import type { Long } from '@grpc/proto-loader';

export interface VolumeWriteRequest {
  'volume'?: (string);
  'offset'?: (number | string | Long);
  'bytes'?: (Buffer | Uint8Array | string);
  'writer'?: (_tessera_v1_WriterEvent | null);
  'retry'?: (boolean);
}

export interface VolumeWriteRequest__Output {
  'volume': (string);
  'offset': (number);
  'bytes': (Buffer);
  'writer': (_tessera_v1_WriterEvent__Output | null);
  'retry': (boolean);
}
