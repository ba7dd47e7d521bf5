// Original file: proto/fragments.proto

import type { Stamp as _tessera_v1_Stamp, Stamp__Output as _tessera_v1_Stamp__Output } from '../../tessera/v1/Stamp.js';
import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';

export interface ApplyParityRequest {
  'stamp'?: (_tessera_v1_Stamp | null);
  'offset'?: (number);
  'delta'?: (Buffer | Uint8Array | string);
  'coefficient'?: (number);
  'registry'?: (_tessera_v1_Version)[];
  'digest'?: (string);
}

export interface ApplyParityRequest__Output {
  'stamp': (_tessera_v1_Stamp__Output | null);
  'offset': (number);
  'delta': (Buffer);
  'coefficient': (number);
  'registry': (_tessera_v1_Version__Output)[];
  'digest': (string);
}
