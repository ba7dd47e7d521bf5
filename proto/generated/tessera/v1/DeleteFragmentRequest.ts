// Original file: proto/fragments.proto

import type { FragmentId as _tessera_v1_FragmentId, FragmentId__Output as _tessera_v1_FragmentId__Output } from '../../tessera/v1/FragmentId.js';
import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';

export interface DeleteFragmentRequest {
  'fragment'?: (_tessera_v1_FragmentId | null);
  'blockBytes'?: (number);
  'expected'?: (_tessera_v1_Version | null);
  'stamp'?: (_tessera_v1_Version | null);
}

export interface DeleteFragmentRequest__Output {
  'fragment': (_tessera_v1_FragmentId__Output | null);
  'blockBytes': (number);
  'expected': (_tessera_v1_Version__Output | null);
  'stamp': (_tessera_v1_Version__Output | null);
}
