// Original file: proto/pipe.proto

import type { Long } from '@grpc/proto-loader';

export interface PipeFrame {
  'id'?: (number | string | Long);
  'method'?: (string);
  'body'?: (Buffer | Uint8Array | string);
  'status'?: (number);
  'details'?: (string);
  'metadata'?: ({[key: string]: string});
  'deadlineMs'?: (number);
}

export interface PipeFrame__Output {
  'id': (number);
  'method': (string);
  'body': (Buffer);
  'status': (number);
  'details': (string);
  'metadata': ({[key: string]: string});
  'deadlineMs': (number);
}
