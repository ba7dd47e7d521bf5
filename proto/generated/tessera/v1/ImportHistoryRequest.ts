// Original file: proto/fragments.proto

import type { FragmentId as _tessera_v1_FragmentId, FragmentId__Output as _tessera_v1_FragmentId__Output } from '../../tessera/v1/FragmentId.js';
import type { FragmentHistory as _tessera_v1_FragmentHistory, FragmentHistory__Output as _tessera_v1_FragmentHistory__Output } from '../../tessera/v1/FragmentHistory.js';

export interface ImportHistoryRequest {
  'fragment'?: (_tessera_v1_FragmentId | null);
  'blockBytes'?: (number);
  'ownershipEpoch'?: (number);
  'history'?: (_tessera_v1_FragmentHistory | null);
}

export interface ImportHistoryRequest__Output {
  'fragment': (_tessera_v1_FragmentId__Output | null);
  'blockBytes': (number);
  'ownershipEpoch': (number);
  'history': (_tessera_v1_FragmentHistory__Output | null);
}
