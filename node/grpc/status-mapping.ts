/**
 * Errors at the gRPC edge: each typed error becomes a status with a fixed code, and the error's
 * own stable code travels in the metadata (tessera-code) so that a client can rebuild the type.
 * Only this adapter knows about gRPC statuses.
 */
import * as grpc from '@grpc/grpc-js';
import {
  ChecksumMismatchError,
  InvalidRequestError,
  StoreError,
  StoreFullError,
  VersionNotFoundError,
} from '../store/errors.js';

export interface ServiceFailure {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata;
}

export function toServiceFailure(error: unknown): ServiceFailure {
  const metadata = new grpc.Metadata();
  const status = (code: grpc.status, details: string, tesseraCode: string): ServiceFailure => {
    metadata.set('tessera-code', tesseraCode);
    return { code, details, metadata };
  };
  if (error instanceof InvalidRequestError)
    return status(grpc.status.INVALID_ARGUMENT, error.message, error.code);
  if (error instanceof ChecksumMismatchError)
    return status(grpc.status.DATA_LOSS, error.message, error.code);
  if (error instanceof StoreFullError)
    return status(grpc.status.RESOURCE_EXHAUSTED, error.message, error.code);
  if (error instanceof VersionNotFoundError)
    return status(grpc.status.NOT_FOUND, error.message, error.code);
  if (error instanceof StoreError)
    return status(grpc.status.FAILED_PRECONDITION, error.message, error.code);
  return status(
    grpc.status.INTERNAL,
    error instanceof Error ? error.message : String(error),
    'INTERNAL',
  );
}

/** Wraps an async unary handler: its result is the reply, its error a mapped status. */
export function unary<Request, Reply>(
  handler: (request: Request) => Promise<Reply>,
): grpc.handleUnaryCall<Request, Reply> {
  return (call, callback) => {
    handler(call.request).then(
      (reply) => callback(null, reply),
      (error: unknown) => callback(toServiceFailure(error)),
    );
  };
}
