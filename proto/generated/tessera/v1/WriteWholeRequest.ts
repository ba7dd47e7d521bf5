// Original file: proto/fragments.proto

import type { Stamp as _tessera_v1_Stamp, Stamp__Output as _tessera_v1_Stamp__Output } from '../../tessera/v1/Stamp.js';
import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';

export interface WriteWholeRequest {
  'stamp'?: (_tessera_v1_Stamp | null);
  'bytes'?: (Buffer | Uint8Array | string);
  'registry'?: (_tessera_v1_Version)[];
  'digest'?: (string);
}

export interface WriteWholeRequest__Output {
  'stamp': (_tessera_v1_Stamp__Output | null);
  'bytes': (Buffer);
  'registry': (_tessera_v1_Version__Output)[];
  'digest': (string);
}
