// Original file: proto/volumes.proto

import type { FragmentPiece as _tessera_v1_FragmentPiece, FragmentPiece__Output as _tessera_v1_FragmentPiece__Output } from '../../tessera/v1/FragmentPiece.js';

export interface VolumeReadReply {
  'bytes'?: (Buffer | Uint8Array | string);
  'pieces'?: (_tessera_v1_FragmentPiece)[];
  'degraded'?: (boolean);
}

export interface VolumeReadReply__Output {
  'bytes': (Buffer);
  'pieces': (_tessera_v1_FragmentPiece__Output)[];
  'degraded': (boolean);
}
