// Original file: proto/fragments.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyParityRequest as _tessera_v1_ApplyParityRequest, ApplyParityRequest__Output as _tessera_v1_ApplyParityRequest__Output } from '../../tessera/v1/ApplyParityRequest.js';
import type { DeleteFragmentRequest as _tessera_v1_DeleteFragmentRequest, DeleteFragmentRequest__Output as _tessera_v1_DeleteFragmentRequest__Output } from '../../tessera/v1/DeleteFragmentRequest.js';
import type { ExportHistoryRequest as _tessera_v1_ExportHistoryRequest, ExportHistoryRequest__Output as _tessera_v1_ExportHistoryRequest__Output } from '../../tessera/v1/ExportHistoryRequest.js';
import type { FenceReply as _tessera_v1_FenceReply, FenceReply__Output as _tessera_v1_FenceReply__Output } from '../../tessera/v1/FenceReply.js';
import type { FenceRequest as _tessera_v1_FenceRequest, FenceRequest__Output as _tessera_v1_FenceRequest__Output } from '../../tessera/v1/FenceRequest.js';
import type { FragmentHistory as _tessera_v1_FragmentHistory, FragmentHistory__Output as _tessera_v1_FragmentHistory__Output } from '../../tessera/v1/FragmentHistory.js';
import type { HistoryReply as _tessera_v1_HistoryReply, HistoryReply__Output as _tessera_v1_HistoryReply__Output } from '../../tessera/v1/HistoryReply.js';
import type { HistoryRequest as _tessera_v1_HistoryRequest, HistoryRequest__Output as _tessera_v1_HistoryRequest__Output } from '../../tessera/v1/HistoryRequest.js';
import type { ImportHistoryRequest as _tessera_v1_ImportHistoryRequest, ImportHistoryRequest__Output as _tessera_v1_ImportHistoryRequest__Output } from '../../tessera/v1/ImportHistoryRequest.js';
import type { ListItem as _tessera_v1_ListItem, ListItem__Output as _tessera_v1_ListItem__Output } from '../../tessera/v1/ListItem.js';
import type { ListRequest as _tessera_v1_ListRequest, ListRequest__Output as _tessera_v1_ListRequest__Output } from '../../tessera/v1/ListRequest.js';
import type { ReadChunk as _tessera_v1_ReadChunk, ReadChunk__Output as _tessera_v1_ReadChunk__Output } from '../../tessera/v1/ReadChunk.js';
import type { ReadReply as _tessera_v1_ReadReply, ReadReply__Output as _tessera_v1_ReadReply__Output } from '../../tessera/v1/ReadReply.js';
import type { ReadRequest as _tessera_v1_ReadRequest, ReadRequest__Output as _tessera_v1_ReadRequest__Output } from '../../tessera/v1/ReadRequest.js';
import type { WriteDataReply as _tessera_v1_WriteDataReply, WriteDataReply__Output as _tessera_v1_WriteDataReply__Output } from '../../tessera/v1/WriteDataReply.js';
import type { WriteDataRequest as _tessera_v1_WriteDataRequest, WriteDataRequest__Output as _tessera_v1_WriteDataRequest__Output } from '../../tessera/v1/WriteDataRequest.js';
import type { WriteReply as _tessera_v1_WriteReply, WriteReply__Output as _tessera_v1_WriteReply__Output } from '../../tessera/v1/WriteReply.js';
import type { WriteWholeChunk as _tessera_v1_WriteWholeChunk, WriteWholeChunk__Output as _tessera_v1_WriteWholeChunk__Output } from '../../tessera/v1/WriteWholeChunk.js';
import type { WriteWholeRequest as _tessera_v1_WriteWholeRequest, WriteWholeRequest__Output as _tessera_v1_WriteWholeRequest__Output } from '../../tessera/v1/WriteWholeRequest.js';

export interface FragmentsClient extends grpc.Client {
  ApplyParity(argument: _tessera_v1_ApplyParityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  ApplyParity(argument: _tessera_v1_ApplyParityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  ApplyParity(argument: _tessera_v1_ApplyParityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  ApplyParity(argument: _tessera_v1_ApplyParityRequest, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  applyParity(argument: _tessera_v1_ApplyParityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  applyParity(argument: _tessera_v1_ApplyParityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  applyParity(argument: _tessera_v1_ApplyParityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  applyParity(argument: _tessera_v1_ApplyParityRequest, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  
  DeleteFragment(argument: _tessera_v1_DeleteFragmentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  DeleteFragment(argument: _tessera_v1_DeleteFragmentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  DeleteFragment(argument: _tessera_v1_DeleteFragmentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  DeleteFragment(argument: _tessera_v1_DeleteFragmentRequest, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  deleteFragment(argument: _tessera_v1_DeleteFragmentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  deleteFragment(argument: _tessera_v1_DeleteFragmentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  deleteFragment(argument: _tessera_v1_DeleteFragmentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  deleteFragment(argument: _tessera_v1_DeleteFragmentRequest, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  
  ExportHistory(argument: _tessera_v1_ExportHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_FragmentHistory__Output>): grpc.ClientUnaryCall;
  ExportHistory(argument: _tessera_v1_ExportHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_FragmentHistory__Output>): grpc.ClientUnaryCall;
  ExportHistory(argument: _tessera_v1_ExportHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_FragmentHistory__Output>): grpc.ClientUnaryCall;
  ExportHistory(argument: _tessera_v1_ExportHistoryRequest, callback: grpc.requestCallback<_tessera_v1_FragmentHistory__Output>): grpc.ClientUnaryCall;
  exportHistory(argument: _tessera_v1_ExportHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_FragmentHistory__Output>): grpc.ClientUnaryCall;
  exportHistory(argument: _tessera_v1_ExportHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_FragmentHistory__Output>): grpc.ClientUnaryCall;
  exportHistory(argument: _tessera_v1_ExportHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_FragmentHistory__Output>): grpc.ClientUnaryCall;
  exportHistory(argument: _tessera_v1_ExportHistoryRequest, callback: grpc.requestCallback<_tessera_v1_FragmentHistory__Output>): grpc.ClientUnaryCall;
  
  Fence(argument: _tessera_v1_FenceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_FenceReply__Output>): grpc.ClientUnaryCall;
  Fence(argument: _tessera_v1_FenceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_FenceReply__Output>): grpc.ClientUnaryCall;
  Fence(argument: _tessera_v1_FenceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_FenceReply__Output>): grpc.ClientUnaryCall;
  Fence(argument: _tessera_v1_FenceRequest, callback: grpc.requestCallback<_tessera_v1_FenceReply__Output>): grpc.ClientUnaryCall;
  fence(argument: _tessera_v1_FenceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_FenceReply__Output>): grpc.ClientUnaryCall;
  fence(argument: _tessera_v1_FenceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_FenceReply__Output>): grpc.ClientUnaryCall;
  fence(argument: _tessera_v1_FenceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_FenceReply__Output>): grpc.ClientUnaryCall;
  fence(argument: _tessera_v1_FenceRequest, callback: grpc.requestCallback<_tessera_v1_FenceReply__Output>): grpc.ClientUnaryCall;
  
  History(argument: _tessera_v1_HistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  History(argument: _tessera_v1_HistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  History(argument: _tessera_v1_HistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  History(argument: _tessera_v1_HistoryRequest, callback: grpc.requestCallback<_tessera_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  history(argument: _tessera_v1_HistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  history(argument: _tessera_v1_HistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  history(argument: _tessera_v1_HistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  history(argument: _tessera_v1_HistoryRequest, callback: grpc.requestCallback<_tessera_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  
  ImportHistory(argument: _tessera_v1_ImportHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  ImportHistory(argument: _tessera_v1_ImportHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  ImportHistory(argument: _tessera_v1_ImportHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  ImportHistory(argument: _tessera_v1_ImportHistoryRequest, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  importHistory(argument: _tessera_v1_ImportHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  importHistory(argument: _tessera_v1_ImportHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  importHistory(argument: _tessera_v1_ImportHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  importHistory(argument: _tessera_v1_ImportHistoryRequest, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  
  List(argument: _tessera_v1_ListRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_v1_ListItem__Output>;
  List(argument: _tessera_v1_ListRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_v1_ListItem__Output>;
  list(argument: _tessera_v1_ListRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_v1_ListItem__Output>;
  list(argument: _tessera_v1_ListRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_v1_ListItem__Output>;
  
  Read(argument: _tessera_v1_ReadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ReadReply__Output>): grpc.ClientUnaryCall;
  Read(argument: _tessera_v1_ReadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_ReadReply__Output>): grpc.ClientUnaryCall;
  Read(argument: _tessera_v1_ReadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ReadReply__Output>): grpc.ClientUnaryCall;
  Read(argument: _tessera_v1_ReadRequest, callback: grpc.requestCallback<_tessera_v1_ReadReply__Output>): grpc.ClientUnaryCall;
  read(argument: _tessera_v1_ReadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ReadReply__Output>): grpc.ClientUnaryCall;
  read(argument: _tessera_v1_ReadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_ReadReply__Output>): grpc.ClientUnaryCall;
  read(argument: _tessera_v1_ReadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_ReadReply__Output>): grpc.ClientUnaryCall;
  read(argument: _tessera_v1_ReadRequest, callback: grpc.requestCallback<_tessera_v1_ReadReply__Output>): grpc.ClientUnaryCall;
  
  ReadStream(argument: _tessera_v1_ReadRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_v1_ReadChunk__Output>;
  ReadStream(argument: _tessera_v1_ReadRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_v1_ReadChunk__Output>;
  readStream(argument: _tessera_v1_ReadRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_v1_ReadChunk__Output>;
  readStream(argument: _tessera_v1_ReadRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_v1_ReadChunk__Output>;
  
  WriteData(argument: _tessera_v1_WriteDataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteDataReply__Output>): grpc.ClientUnaryCall;
  WriteData(argument: _tessera_v1_WriteDataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteDataReply__Output>): grpc.ClientUnaryCall;
  WriteData(argument: _tessera_v1_WriteDataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteDataReply__Output>): grpc.ClientUnaryCall;
  WriteData(argument: _tessera_v1_WriteDataRequest, callback: grpc.requestCallback<_tessera_v1_WriteDataReply__Output>): grpc.ClientUnaryCall;
  writeData(argument: _tessera_v1_WriteDataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteDataReply__Output>): grpc.ClientUnaryCall;
  writeData(argument: _tessera_v1_WriteDataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteDataReply__Output>): grpc.ClientUnaryCall;
  writeData(argument: _tessera_v1_WriteDataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteDataReply__Output>): grpc.ClientUnaryCall;
  writeData(argument: _tessera_v1_WriteDataRequest, callback: grpc.requestCallback<_tessera_v1_WriteDataReply__Output>): grpc.ClientUnaryCall;
  
  WriteWhole(argument: _tessera_v1_WriteWholeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  WriteWhole(argument: _tessera_v1_WriteWholeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  WriteWhole(argument: _tessera_v1_WriteWholeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  WriteWhole(argument: _tessera_v1_WriteWholeRequest, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  writeWhole(argument: _tessera_v1_WriteWholeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  writeWhole(argument: _tessera_v1_WriteWholeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  writeWhole(argument: _tessera_v1_WriteWholeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  writeWhole(argument: _tessera_v1_WriteWholeRequest, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  
  WriteWholeStream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientWritableStream<_tessera_v1_WriteWholeChunk>;
  WriteWholeStream(metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientWritableStream<_tessera_v1_WriteWholeChunk>;
  WriteWholeStream(options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientWritableStream<_tessera_v1_WriteWholeChunk>;
  WriteWholeStream(callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientWritableStream<_tessera_v1_WriteWholeChunk>;
  writeWholeStream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientWritableStream<_tessera_v1_WriteWholeChunk>;
  writeWholeStream(metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientWritableStream<_tessera_v1_WriteWholeChunk>;
  writeWholeStream(options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientWritableStream<_tessera_v1_WriteWholeChunk>;
  writeWholeStream(callback: grpc.requestCallback<_tessera_v1_WriteReply__Output>): grpc.ClientWritableStream<_tessera_v1_WriteWholeChunk>;
  
}

export interface FragmentsHandlers extends grpc.UntypedServiceImplementation {
  ApplyParity: grpc.handleUnaryCall<_tessera_v1_ApplyParityRequest__Output, _tessera_v1_WriteReply>;
  
  DeleteFragment: grpc.handleUnaryCall<_tessera_v1_DeleteFragmentRequest__Output, _tessera_v1_WriteReply>;
  
  ExportHistory: grpc.handleUnaryCall<_tessera_v1_ExportHistoryRequest__Output, _tessera_v1_FragmentHistory>;
  
  Fence: grpc.handleUnaryCall<_tessera_v1_FenceRequest__Output, _tessera_v1_FenceReply>;
  
  History: grpc.handleUnaryCall<_tessera_v1_HistoryRequest__Output, _tessera_v1_HistoryReply>;
  
  ImportHistory: grpc.handleUnaryCall<_tessera_v1_ImportHistoryRequest__Output, _tessera_v1_WriteReply>;
  
  List: grpc.handleServerStreamingCall<_tessera_v1_ListRequest__Output, _tessera_v1_ListItem>;
  
  Read: grpc.handleUnaryCall<_tessera_v1_ReadRequest__Output, _tessera_v1_ReadReply>;
  
  ReadStream: grpc.handleServerStreamingCall<_tessera_v1_ReadRequest__Output, _tessera_v1_ReadChunk>;
  
  WriteData: grpc.handleUnaryCall<_tessera_v1_WriteDataRequest__Output, _tessera_v1_WriteDataReply>;
  
  WriteWhole: grpc.handleUnaryCall<_tessera_v1_WriteWholeRequest__Output, _tessera_v1_WriteReply>;
  
  WriteWholeStream: grpc.handleClientStreamingCall<_tessera_v1_WriteWholeChunk__Output, _tessera_v1_WriteReply>;
  
}

export interface FragmentsDefinition extends grpc.ServiceDefinition {
  ApplyParity: MethodDefinition<_tessera_v1_ApplyParityRequest, _tessera_v1_WriteReply, _tessera_v1_ApplyParityRequest__Output, _tessera_v1_WriteReply__Output>
  DeleteFragment: MethodDefinition<_tessera_v1_DeleteFragmentRequest, _tessera_v1_WriteReply, _tessera_v1_DeleteFragmentRequest__Output, _tessera_v1_WriteReply__Output>
  ExportHistory: MethodDefinition<_tessera_v1_ExportHistoryRequest, _tessera_v1_FragmentHistory, _tessera_v1_ExportHistoryRequest__Output, _tessera_v1_FragmentHistory__Output>
  Fence: MethodDefinition<_tessera_v1_FenceRequest, _tessera_v1_FenceReply, _tessera_v1_FenceRequest__Output, _tessera_v1_FenceReply__Output>
  History: MethodDefinition<_tessera_v1_HistoryRequest, _tessera_v1_HistoryReply, _tessera_v1_HistoryRequest__Output, _tessera_v1_HistoryReply__Output>
  ImportHistory: MethodDefinition<_tessera_v1_ImportHistoryRequest, _tessera_v1_WriteReply, _tessera_v1_ImportHistoryRequest__Output, _tessera_v1_WriteReply__Output>
  List: MethodDefinition<_tessera_v1_ListRequest, _tessera_v1_ListItem, _tessera_v1_ListRequest__Output, _tessera_v1_ListItem__Output>
  Read: MethodDefinition<_tessera_v1_ReadRequest, _tessera_v1_ReadReply, _tessera_v1_ReadRequest__Output, _tessera_v1_ReadReply__Output>
  ReadStream: MethodDefinition<_tessera_v1_ReadRequest, _tessera_v1_ReadChunk, _tessera_v1_ReadRequest__Output, _tessera_v1_ReadChunk__Output>
  WriteData: MethodDefinition<_tessera_v1_WriteDataRequest, _tessera_v1_WriteDataReply, _tessera_v1_WriteDataRequest__Output, _tessera_v1_WriteDataReply__Output>
  WriteWhole: MethodDefinition<_tessera_v1_WriteWholeRequest, _tessera_v1_WriteReply, _tessera_v1_WriteWholeRequest__Output, _tessera_v1_WriteReply__Output>
  WriteWholeStream: MethodDefinition<_tessera_v1_WriteWholeChunk, _tessera_v1_WriteReply, _tessera_v1_WriteWholeChunk__Output, _tessera_v1_WriteReply__Output>
}
