// Original file: proto/fragments.proto

import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from '../../tessera/v1/Version.js';
import type { WriterStamp as _tessera_v1_WriterStamp, WriterStamp__Output as _tessera_v1_WriterStamp__Output } from '../../tessera/v1/WriterStamp.js';
import type { FoldedWriter as _tessera_v1_FoldedWriter, FoldedWriter__Output as _tessera_v1_FoldedWriter__Output } from '../../tessera/v1/FoldedWriter.js';
import type { Long } from '@grpc/proto-loader';

export interface HistoryEntry {
  'version'?: (_tessera_v1_Version | null);
  'kind'?: (string);
  'writer'?: (_tessera_v1_WriterStamp | null);
  'eventTimeMs'?: (number | string | Long);
  'alsoWriters'?: (_tessera_v1_WriterStamp)[];
  'registry'?: (_tessera_v1_Version)[];
  'foldedWriters'?: (_tessera_v1_FoldedWriter)[];
}

export interface HistoryEntry__Output {
  'version': (_tessera_v1_Version__Output | null);
  'kind': (string);
  'writer': (_tessera_v1_WriterStamp__Output | null);
  'eventTimeMs': (number);
  'alsoWriters': (_tessera_v1_WriterStamp__Output)[];
  'registry': (_tessera_v1_Version__Output)[];
  'foldedWriters': (_tessera_v1_FoldedWriter__Output)[];
}
