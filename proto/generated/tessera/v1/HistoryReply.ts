// Original file: proto/fragments.proto

import type { HistoryEntry as _tessera_v1_HistoryEntry, HistoryEntry__Output as _tessera_v1_HistoryEntry__Output } from '../../tessera/v1/HistoryEntry.js';

export interface HistoryReply {
  'entries'?: (_tessera_v1_HistoryEntry)[];
}

export interface HistoryReply__Output {
  'entries': (_tessera_v1_HistoryEntry__Output)[];
}
