// Original file: proto/fragments.proto

import type { Stamp as _tessera_v1_Stamp, Stamp__Output as _tessera_v1_Stamp__Output } from '../../tessera/v1/Stamp.js';
import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';

export interface WriteDataRequest {
  'stamp'?: (_tessera_v1_Stamp | null);
  'offset'?: (number);
  'bytes'?: (Buffer | Uint8Array | string);
  'digest'?: (string);
  'deltaCrcOnly'?: (boolean);
  'registry'?: (_tessera_v1_Version)[];
}

export interface WriteDataRequest__Output {
  'stamp': (_tessera_v1_Stamp__Output | null);
  'offset': (number);
  'bytes': (Buffer);
  'digest': (string);
  'deltaCrcOnly': (boolean);
  'registry': (_tessera_v1_Version__Output)[];
}
