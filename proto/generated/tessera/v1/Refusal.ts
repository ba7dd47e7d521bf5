// Original file: proto/fragments.proto

import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';

export interface Refusal {
  'reason'?: (string);
  'current'?: (_tessera_v1_Version | null);
  'fenceEpoch'?: (number);
}

export interface Refusal__Output {
  'reason': (string);
  'current': (_tessera_v1_Version__Output | null);
  'fenceEpoch': (number);
}
