// Original file: proto/fragments.proto

import type { FragmentId as _tessera_v1_FragmentId, FragmentId__Output as _tessera_v1_FragmentId__Output } from '../../tessera/v1/FragmentId.js';
import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';
import type { WriterStamp as _tessera_v1_WriterStamp, WriterStamp__Output as _tessera_v1_WriterStamp__Output } from '../../tessera/v1/WriterStamp.js';

export interface Stamp {
  'fragment'?: (_tessera_v1_FragmentId | null);
  'blockBytes'?: (number);
  'expected'?: (_tessera_v1_Version | null);
  'next'?: (_tessera_v1_Version | null);
  'writer'?: (_tessera_v1_WriterStamp | null);
  'settled'?: (_tessera_v1_Version | null);
  'alsoWriters'?: (_tessera_v1_WriterStamp)[];
}

export interface Stamp__Output {
  'fragment': (_tessera_v1_FragmentId__Output | null);
  'blockBytes': (number);
  'expected': (_tessera_v1_Version__Output | null);
  'next': (_tessera_v1_Version__Output | null);
  'writer': (_tessera_v1_WriterStamp__Output | null);
  'settled': (_tessera_v1_Version__Output | null);
  'alsoWriters': (_tessera_v1_WriterStamp__Output)[];
}
