// Original file: proto/fragments.proto

import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';
import type { Refusal as _tessera_v1_Refusal, Refusal__Output as _tessera_v1_Refusal__Output } from '../../tessera/v1/Refusal.js';

export interface WriteReply {
  'ok'?: (boolean);
  'version'?: (_tessera_v1_Version | null);
  'repeated'?: (boolean);
  'refusal'?: (_tessera_v1_Refusal | null);
}

export interface WriteReply__Output {
  'ok': (boolean);
  'version': (_tessera_v1_Version__Output | null);
  'repeated': (boolean);
  'refusal': (_tessera_v1_Refusal__Output | null);
}
