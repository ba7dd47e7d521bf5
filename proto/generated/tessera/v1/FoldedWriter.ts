// Original file: proto/fragments.proto

import type { Long } from '@grpc/proto-loader';

export interface FoldedWriter {
  'writerId'?: (string);
  'writerSeq'?: (number | string | Long);
}

export interface FoldedWriter__Output {
  'writerId': (string);
  'writerSeq': (number);
}
