// Original file: proto/fragments.proto

import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';
import type { Refusal as _tessera_v1_Refusal, Refusal__Output as _tessera_v1_Refusal__Output } from '../../tessera/v1/Refusal.js';

export interface WriteDataReply {
  'ok'?: (boolean);
  'version'?: (_tessera_v1_Version | null);
  'repeated'?: (boolean);
  'delta'?: (Buffer | Uint8Array | string);
  'refusal'?: (_tessera_v1_Refusal | null);
  'deltaCrc32c'?: (number);
}

export interface WriteDataReply__Output {
  'ok': (boolean);
  'version': (_tessera_v1_Version__Output | null);
  'repeated': (boolean);
  'delta': (Buffer);
  'refusal': (_tessera_v1_Refusal__Output | null);
  'deltaCrc32c': (number);
}
