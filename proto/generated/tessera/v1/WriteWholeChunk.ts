// Original file: proto/fragments.proto

import type { Stamp as _tessera_v1_Stamp, Stamp__Output as _tessera_v1_Stamp__Output } from '../../tessera/v1/Stamp.js';
import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';

export interface WriteWholeChunk {
  'stamp'?: (_tessera_v1_Stamp | null);
  'registry'?: (_tessera_v1_Version)[];
  'digest'?: (string);
  'offset'?: (number);
  'bytes'?: (Buffer | Uint8Array | string);
}

export interface WriteWholeChunk__Output {
  'stamp': (_tessera_v1_Stamp__Output | null);
  'registry': (_tessera_v1_Version__Output)[];
  'digest': (string);
  'offset': (number);
  'bytes': (Buffer);
}
