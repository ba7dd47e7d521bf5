/**
 * Errors at the gRPC edge: each typed error becomes a status with a fixed code, and the error's
 * own stable code travels in the metadata (tessera-code) so that a client can rebuild the type.
 * Only this adapter knows about gRPC statuses.
 */
import * as grpc from '@grpc/grpc-js';
import { CmError, NotOwnerError } from '../cm/errors.js';
import {
  ChecksumMismatchError,
  InvalidRequestError,
  StoreError,
  StoreFullError,
  VersionNotFoundError,
} from '../store/errors.js';

/** A failed call as grpc-js sends it: the status, its details and Tessera's metadata. */
export interface ServiceFailure {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata;
}

/**
 * The gRPC status of each consistency manager error code. NOT_OWNER is a failed precondition
 * (the caller's routing), OUTCOME_UNKNOWN is UNKNOWN (it may or may not have been applied).
 */
const CM_STATUS: Readonly<Record<string, grpc.status>> = {
  NOT_OWNER: grpc.status.FAILED_PRECONDITION,
  OUTCOME_UNKNOWN: grpc.status.UNKNOWN,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  DATA_LOST: grpc.status.DATA_LOSS,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
};

/**
 * The status of a failure: a typed error gets its fixed status and its code in tessera-code (a
 * NOT_OWNER also names the owner in tessera-owner, empty when no CM is up, and its epoch in
 * tessera-epoch); anything else is INTERNAL.
 */
export function toServiceFailure(error: unknown): ServiceFailure {
  const metadata = new grpc.Metadata();
  const status = (code: grpc.status, details: string, tesseraCode: string): ServiceFailure => {
    metadata.set('tessera-code', tesseraCode);
    return { code, details, metadata };
  };
  if (error instanceof NotOwnerError) {
    metadata.set('tessera-owner', error.owner ?? '');
    metadata.set('tessera-epoch', String(error.epoch));
  }
  if (error instanceof CmError)
    return status(CM_STATUS[error.code] ?? grpc.status.INTERNAL, error.message, error.code);
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
