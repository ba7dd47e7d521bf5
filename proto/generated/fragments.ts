import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApplyParityRequest as _tessera_v1_ApplyParityRequest, ApplyParityRequest__Output as _tessera_v1_ApplyParityRequest__Output } from './tessera/v1/ApplyParityRequest.js';
import type { DeleteFragmentRequest as _tessera_v1_DeleteFragmentRequest, DeleteFragmentRequest__Output as _tessera_v1_DeleteFragmentRequest__Output } from './tessera/v1/DeleteFragmentRequest.js';
import type { ExportHistoryRequest as _tessera_v1_ExportHistoryRequest, ExportHistoryRequest__Output as _tessera_v1_ExportHistoryRequest__Output } from './tessera/v1/ExportHistoryRequest.js';
import type { FenceReply as _tessera_v1_FenceReply, FenceReply__Output as _tessera_v1_FenceReply__Output } from './tessera/v1/FenceReply.js';
import type { FenceRequest as _tessera_v1_FenceRequest, FenceRequest__Output as _tessera_v1_FenceRequest__Output } from './tessera/v1/FenceRequest.js';
import type { FoldedWriter as _tessera_v1_FoldedWriter, FoldedWriter__Output as _tessera_v1_FoldedWriter__Output } from './tessera/v1/FoldedWriter.js';
import type { FragmentHistory as _tessera_v1_FragmentHistory, FragmentHistory__Output as _tessera_v1_FragmentHistory__Output } from './tessera/v1/FragmentHistory.js';
import type { FragmentId as _tessera_v1_FragmentId, FragmentId__Output as _tessera_v1_FragmentId__Output } from './tessera/v1/FragmentId.js';
import type { FragmentsClient as _tessera_v1_FragmentsClient, FragmentsDefinition as _tessera_v1_FragmentsDefinition } from './tessera/v1/Fragments.js';
import type { HistoryEntry as _tessera_v1_HistoryEntry, HistoryEntry__Output as _tessera_v1_HistoryEntry__Output } from './tessera/v1/HistoryEntry.js';
import type { HistoryReply as _tessera_v1_HistoryReply, HistoryReply__Output as _tessera_v1_HistoryReply__Output } from './tessera/v1/HistoryReply.js';
import type { HistoryRequest as _tessera_v1_HistoryRequest, HistoryRequest__Output as _tessera_v1_HistoryRequest__Output } from './tessera/v1/HistoryRequest.js';
import type { ImportHistoryRequest as _tessera_v1_ImportHistoryRequest, ImportHistoryRequest__Output as _tessera_v1_ImportHistoryRequest__Output } from './tessera/v1/ImportHistoryRequest.js';
import type { ListItem as _tessera_v1_ListItem, ListItem__Output as _tessera_v1_ListItem__Output } from './tessera/v1/ListItem.js';
import type { ListRequest as _tessera_v1_ListRequest, ListRequest__Output as _tessera_v1_ListRequest__Output } from './tessera/v1/ListRequest.js';
import type { ReadChunk as _tessera_v1_ReadChunk, ReadChunk__Output as _tessera_v1_ReadChunk__Output } from './tessera/v1/ReadChunk.js';
import type { ReadReply as _tessera_v1_ReadReply, ReadReply__Output as _tessera_v1_ReadReply__Output } from './tessera/v1/ReadReply.js';
import type { ReadRequest as _tessera_v1_ReadRequest, ReadRequest__Output as _tessera_v1_ReadRequest__Output } from './tessera/v1/ReadRequest.js';
import type { Refusal as _tessera_v1_Refusal, Refusal__Output as _tessera_v1_Refusal__Output } from './tessera/v1/Refusal.js';
import type { Stamp as _tessera_v1_Stamp, Stamp__Output as _tessera_v1_Stamp__Output } from './tessera/v1/Stamp.js';
import type { Version as _tessera_v1_Version, Version__Output as _tessera_v1_Version__Output } from './tessera/v1/Version.js';
import type { WriteDataReply as _tessera_v1_WriteDataReply, WriteDataReply__Output as _tessera_v1_WriteDataReply__Output } from './tessera/v1/WriteDataReply.js';
import type { WriteDataRequest as _tessera_v1_WriteDataRequest, WriteDataRequest__Output as _tessera_v1_WriteDataRequest__Output } from './tessera/v1/WriteDataRequest.js';
import type { WriteReply as _tessera_v1_WriteReply, WriteReply__Output as _tessera_v1_WriteReply__Output } from './tessera/v1/WriteReply.js';
import type { WriteWholeChunk as _tessera_v1_WriteWholeChunk, WriteWholeChunk__Output as _tessera_v1_WriteWholeChunk__Output } from './tessera/v1/WriteWholeChunk.js';
import type { WriteWholeRequest as _tessera_v1_WriteWholeRequest, WriteWholeRequest__Output as _tessera_v1_WriteWholeRequest__Output } from './tessera/v1/WriteWholeRequest.js';
import type { WriterStamp as _tessera_v1_WriterStamp, WriterStamp__Output as _tessera_v1_WriterStamp__Output } from './tessera/v1/WriterStamp.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tessera: {
    v1: {
      ApplyParityRequest: MessageTypeDefinition<_tessera_v1_ApplyParityRequest, _tessera_v1_ApplyParityRequest__Output>
      DeleteFragmentRequest: MessageTypeDefinition<_tessera_v1_DeleteFragmentRequest, _tessera_v1_DeleteFragmentRequest__Output>
      ExportHistoryRequest: MessageTypeDefinition<_tessera_v1_ExportHistoryRequest, _tessera_v1_ExportHistoryRequest__Output>
      FenceReply: MessageTypeDefinition<_tessera_v1_FenceReply, _tessera_v1_FenceReply__Output>
      FenceRequest: MessageTypeDefinition<_tessera_v1_FenceRequest, _tessera_v1_FenceRequest__Output>
      FoldedWriter: MessageTypeDefinition<_tessera_v1_FoldedWriter, _tessera_v1_FoldedWriter__Output>
      FragmentHistory: MessageTypeDefinition<_tessera_v1_FragmentHistory, _tessera_v1_FragmentHistory__Output>
      FragmentId: MessageTypeDefinition<_tessera_v1_FragmentId, _tessera_v1_FragmentId__Output>
      Fragments: SubtypeConstructor<typeof grpc.Client, _tessera_v1_FragmentsClient> & { service: _tessera_v1_FragmentsDefinition }
      HistoryEntry: MessageTypeDefinition<_tessera_v1_HistoryEntry, _tessera_v1_HistoryEntry__Output>
      HistoryReply: MessageTypeDefinition<_tessera_v1_HistoryReply, _tessera_v1_HistoryReply__Output>
      HistoryRequest: MessageTypeDefinition<_tessera_v1_HistoryRequest, _tessera_v1_HistoryRequest__Output>
      ImportHistoryRequest: MessageTypeDefinition<_tessera_v1_ImportHistoryRequest, _tessera_v1_ImportHistoryRequest__Output>
      ListItem: MessageTypeDefinition<_tessera_v1_ListItem, _tessera_v1_ListItem__Output>
      ListRequest: MessageTypeDefinition<_tessera_v1_ListRequest, _tessera_v1_ListRequest__Output>
      ReadChunk: MessageTypeDefinition<_tessera_v1_ReadChunk, _tessera_v1_ReadChunk__Output>
      ReadReply: MessageTypeDefinition<_tessera_v1_ReadReply, _tessera_v1_ReadReply__Output>
      ReadRequest: MessageTypeDefinition<_tessera_v1_ReadRequest, _tessera_v1_ReadRequest__Output>
      Refusal: MessageTypeDefinition<_tessera_v1_Refusal, _tessera_v1_Refusal__Output>
      Stamp: MessageTypeDefinition<_tessera_v1_Stamp, _tessera_v1_Stamp__Output>
      Version: MessageTypeDefinition<_tessera_v1_Version, _tessera_v1_Version__Output>
      WriteDataReply: MessageTypeDefinition<_tessera_v1_WriteDataReply, _tessera_v1_WriteDataReply__Output>
      WriteDataRequest: MessageTypeDefinition<_tessera_v1_WriteDataRequest, _tessera_v1_WriteDataRequest__Output>
      WriteReply: MessageTypeDefinition<_tessera_v1_WriteReply, _tessera_v1_WriteReply__Output>
      WriteWholeChunk: MessageTypeDefinition<_tessera_v1_WriteWholeChunk, _tessera_v1_WriteWholeChunk__Output>
      WriteWholeRequest: MessageTypeDefinition<_tessera_v1_WriteWholeRequest, _tessera_v1_WriteWholeRequest__Output>
      WriterStamp: MessageTypeDefinition<_tessera_v1_WriterStamp, _tessera_v1_WriterStamp__Output>
    }
  }
}

