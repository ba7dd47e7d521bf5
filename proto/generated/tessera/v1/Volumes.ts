// Original file: proto/volumes.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { VolumeReadReply as _tessera_v1_VolumeReadReply, VolumeReadReply__Output as _tessera_v1_VolumeReadReply__Output } from '../../tessera/v1/VolumeReadReply.js';
import type { VolumeReadRequest as _tessera_v1_VolumeReadRequest, VolumeReadRequest__Output as _tessera_v1_VolumeReadRequest__Output } from '../../tessera/v1/VolumeReadRequest.js';
import type { VolumeScrubReply as _tessera_v1_VolumeScrubReply, VolumeScrubReply__Output as _tessera_v1_VolumeScrubReply__Output } from '../../tessera/v1/VolumeScrubReply.js';
import type { VolumeScrubRequest as _tessera_v1_VolumeScrubRequest, VolumeScrubRequest__Output as _tessera_v1_VolumeScrubRequest__Output } from '../../tessera/v1/VolumeScrubRequest.js';
import type { VolumeWriteReply as _tessera_v1_VolumeWriteReply, VolumeWriteReply__Output as _tessera_v1_VolumeWriteReply__Output } from '../../tessera/v1/VolumeWriteReply.js';
import type { VolumeWriteRequest as _tessera_v1_VolumeWriteRequest, VolumeWriteRequest__Output as _tessera_v1_VolumeWriteRequest__Output } from '../../tessera/v1/VolumeWriteRequest.js';

export interface VolumesClient extends grpc.Client {
  Read(argument: _tessera_v1_VolumeReadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeReadReply__Output>): grpc.ClientUnaryCall;
  Read(argument: _tessera_v1_VolumeReadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_VolumeReadReply__Output>): grpc.ClientUnaryCall;
  Read(argument: _tessera_v1_VolumeReadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeReadReply__Output>): grpc.ClientUnaryCall;
  Read(argument: _tessera_v1_VolumeReadRequest, callback: grpc.requestCallback<_tessera_v1_VolumeReadReply__Output>): grpc.ClientUnaryCall;
  read(argument: _tessera_v1_VolumeReadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeReadReply__Output>): grpc.ClientUnaryCall;
  read(argument: _tessera_v1_VolumeReadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_VolumeReadReply__Output>): grpc.ClientUnaryCall;
  read(argument: _tessera_v1_VolumeReadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeReadReply__Output>): grpc.ClientUnaryCall;
  read(argument: _tessera_v1_VolumeReadRequest, callback: grpc.requestCallback<_tessera_v1_VolumeReadReply__Output>): grpc.ClientUnaryCall;
  
  Scrub(argument: _tessera_v1_VolumeScrubRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeScrubReply__Output>): grpc.ClientUnaryCall;
  Scrub(argument: _tessera_v1_VolumeScrubRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_VolumeScrubReply__Output>): grpc.ClientUnaryCall;
  Scrub(argument: _tessera_v1_VolumeScrubRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeScrubReply__Output>): grpc.ClientUnaryCall;
  Scrub(argument: _tessera_v1_VolumeScrubRequest, callback: grpc.requestCallback<_tessera_v1_VolumeScrubReply__Output>): grpc.ClientUnaryCall;
  scrub(argument: _tessera_v1_VolumeScrubRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeScrubReply__Output>): grpc.ClientUnaryCall;
  scrub(argument: _tessera_v1_VolumeScrubRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_VolumeScrubReply__Output>): grpc.ClientUnaryCall;
  scrub(argument: _tessera_v1_VolumeScrubRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeScrubReply__Output>): grpc.ClientUnaryCall;
  scrub(argument: _tessera_v1_VolumeScrubRequest, callback: grpc.requestCallback<_tessera_v1_VolumeScrubReply__Output>): grpc.ClientUnaryCall;
  
  Write(argument: _tessera_v1_VolumeWriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeWriteReply__Output>): grpc.ClientUnaryCall;
  Write(argument: _tessera_v1_VolumeWriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_VolumeWriteReply__Output>): grpc.ClientUnaryCall;
  Write(argument: _tessera_v1_VolumeWriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeWriteReply__Output>): grpc.ClientUnaryCall;
  Write(argument: _tessera_v1_VolumeWriteRequest, callback: grpc.requestCallback<_tessera_v1_VolumeWriteReply__Output>): grpc.ClientUnaryCall;
  write(argument: _tessera_v1_VolumeWriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeWriteReply__Output>): grpc.ClientUnaryCall;
  write(argument: _tessera_v1_VolumeWriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_v1_VolumeWriteReply__Output>): grpc.ClientUnaryCall;
  write(argument: _tessera_v1_VolumeWriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_v1_VolumeWriteReply__Output>): grpc.ClientUnaryCall;
  write(argument: _tessera_v1_VolumeWriteRequest, callback: grpc.requestCallback<_tessera_v1_VolumeWriteReply__Output>): grpc.ClientUnaryCall;
  
}

export interface VolumesHandlers extends grpc.UntypedServiceImplementation {
  Read: grpc.handleUnaryCall<_tessera_v1_VolumeReadRequest__Output, _tessera_v1_VolumeReadReply>;
  
  Scrub: grpc.handleUnaryCall<_tessera_v1_VolumeScrubRequest__Output, _tessera_v1_VolumeScrubReply>;
  
  Write: grpc.handleUnaryCall<_tessera_v1_VolumeWriteRequest__Output, _tessera_v1_VolumeWriteReply>;
  
}

export interface VolumesDefinition extends grpc.ServiceDefinition {
  Read: MethodDefinition<_tessera_v1_VolumeReadRequest, _tessera_v1_VolumeReadReply, _tessera_v1_VolumeReadRequest__Output, _tessera_v1_VolumeReadReply__Output>
  Scrub: MethodDefinition<_tessera_v1_VolumeScrubRequest, _tessera_v1_VolumeScrubReply, _tessera_v1_VolumeScrubRequest__Output, _tessera_v1_VolumeScrubReply__Output>
  Write: MethodDefinition<_tessera_v1_VolumeWriteRequest, _tessera_v1_VolumeWriteReply, _tessera_v1_VolumeWriteRequest__Output, _tessera_v1_VolumeWriteReply__Output>
}
