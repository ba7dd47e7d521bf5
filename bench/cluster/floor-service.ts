/**
 * The floor's gRPC service, shared by the benchmark and its child process: raw bytes in and out
 * (identity serializers, no protobuf), so that what it measures is grpc-js and the loopback
 * between two Node.js processes and nothing of Tessera.
 */
import type * as grpc from '@grpc/grpc-js';

const identity = (bytes: Buffer): Buffer => bytes;

function method(path: string, requestStream: boolean): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}

/** Push: a client stream of messages, answered with the byte count received (8 bytes, LE). Put: one message, an empty answer. */
export const FLOOR_SERVICE = {
  push: method('/bench.Floor/Push', true),
  put: method('/bench.Floor/Put', false),
} satisfies grpc.ServiceDefinition;

/** The empty answer of Put. */
export const EMPTY = Buffer.alloc(0);
