// Original file: proto/fragments.proto

import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';

export interface ReadReply {
  'bytes'?: (Buffer | Uint8Array | string);
  'version'?: (_tessera_v1_Version | null);
  'registry'?: (_tessera_v1_Version)[];
  'settled'?: (_tessera_v1_Version | null);
  'zeros'?: (boolean);
}

export interface ReadReply__Output {
  'bytes': (Buffer);
  'version': (_tessera_v1_Version__Output | null);
  'registry': (_tessera_v1_Version__Output)[];
  'settled': (_tessera_v1_Version__Output | null);
  'zeros': (boolean);
}
