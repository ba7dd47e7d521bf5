// Original file: proto/fragments.proto

import type { Stamp as _tessera_v1_Stamp, Stamp__Output as _tessera_v1_Stamp__Output } from '../../tessera/v1/Stamp.js';

export interface WriteDataRequest {
  'stamp'?: (_tessera_v1_Stamp | null);
  'offset'?: (number);
  'bytes'?: (Buffer | Uint8Array | string);
  'digest'?: (string);
  'deltaCrcOnly'?: (boolean);
}

export interface WriteDataRequest__Output {
  'stamp': (_tessera_v1_Stamp__Output | null);
  'offset': (number);
  'bytes': (Buffer);
  'digest': (string);
  'deltaCrcOnly': (boolean);
}
