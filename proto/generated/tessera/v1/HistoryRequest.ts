// Original file: proto/fragments.proto

import type { FragmentId as _tessera_v1_FragmentId, FragmentId__Output as _tessera_v1_FragmentId__Output } from '../../tessera/v1/FragmentId.js';

export interface HistoryRequest {
  'fragment'?: (_tessera_v1_FragmentId | null);
}

export interface HistoryRequest__Output {
  'fragment': (_tessera_v1_FragmentId__Output | null);
}
