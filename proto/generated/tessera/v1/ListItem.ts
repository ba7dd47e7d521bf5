// Original file: proto/fragments.proto

import type { FragmentId as _tessera_v1_FragmentId, FragmentId__Output as _tessera_v1_FragmentId__Output } from '../../tessera/v1/FragmentId.js';
import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';

export interface ListItem {
  'fragment'?: (_tessera_v1_FragmentId | null);
  'version'?: (_tessera_v1_Version | null);
  'blockBytes'?: (number);
}

export interface ListItem__Output {
  'fragment': (_tessera_v1_FragmentId__Output | null);
  'version': (_tessera_v1_Version__Output | null);
  'blockBytes': (number);
}
