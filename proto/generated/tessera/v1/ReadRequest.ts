// Original file: proto/fragments.proto

import type { FragmentId as _tessera_v1_FragmentId, FragmentId__Output as _tessera_v1_FragmentId__Output } from '../../tessera/v1/FragmentId.js';
import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';

export interface ReadRequest {
  'fragment'?: (_tessera_v1_FragmentId | null);
  'blockBytes'?: (number);
  'offset'?: (number);
  'length'?: (number);
  'version'?: (_tessera_v1_Version | null);
}

export interface ReadRequest__Output {
  'fragment': (_tessera_v1_FragmentId__Output | null);
  'blockBytes': (number);
  'offset': (number);
  'length': (number);
  'version': (_tessera_v1_Version__Output | null);
}
