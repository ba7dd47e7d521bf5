// Original file: proto/volumes.proto

import type { Long } from '@grpc/proto-loader';

export interface WriterEvent {
  'writerId'?: (string);
  'writerSeq'?: (number | string | Long);
  'eventTimeMs'?: (number | string | Long);
  'parts'?: (number);
  'firstPart'?: (number);
}

export interface WriterEvent__Output {
  'writerId': (string);
  'writerSeq': (number);
  'eventTimeMs': (number);
  'parts': (number);
  'firstPart': (number);
}
