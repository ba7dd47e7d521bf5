// Original file: proto/fragments.proto

import type { Long } from '@grpc/proto-loader';

export interface WriterStamp {
  'writerId'?: (string);
  'writerSeq'?: (number | string | Long);
  'part'?: (number);
  'parts'?: (number);
  'eventTimeMs'?: (number | string | Long);
}

export interface WriterStamp__Output {
  'writerId': (string);
  'writerSeq': (number);
  'part': (number);
  'parts': (number);
  'eventTimeMs': (number);
}
