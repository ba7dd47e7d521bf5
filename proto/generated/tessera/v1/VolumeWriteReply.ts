// Original file: proto/volumes.proto

import type { FragmentPiece as _tessera_v1_FragmentPiece, FragmentPiece__Output as _tessera_v1_FragmentPiece__Output } from '../../tessera/v1/FragmentPiece.js';
import type { Long } from '@grpc/proto-loader';

export interface VolumeWriteReply {
  'stripe'?: (number | string | Long);
  'pieces'?: (_tessera_v1_FragmentPiece)[];
}

export interface VolumeWriteReply__Output {
  'stripe': (number);
  'pieces': (_tessera_v1_FragmentPiece__Output)[];
}
