/**
 * Calling a unary gRPC method as a promise with a deadline, as a call of its own or on a pipe. A
 * failure rejects with a RemoteCallError carrying the gRPC status and Tessera's stable code
 * (metadata tessera-code).
 */
import * as grpc from '@grpc/grpc-js';
import type { PipeClient, PipeMethod } from '../../proto/pipe.js';

export class RemoteCallError extends Error {
  constructor(
    readonly status: grpc.status,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteCallError';
  }
}

type Callback<Reply> = (error: grpc.ServiceError | null, reply?: Reply) => void;

/** Calls `method` of `client` (a generated grpc-js client) with a deadline of `deadlineMs`. */
export function unaryCall<Request, Reply>(
  client: grpc.Client,
  method: string,
  request: Request,
  deadlineMs: number,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const invoke = (
      client as unknown as Record<
        string,
        (request: Request, options: grpc.CallOptions, callback: Callback<Reply>) => void
      >
    )[method]!.bind(client);
    invoke(request, { deadline: new Date(Date.now() + deadlineMs) }, (error, reply) => {
      if (error) reject(toRemoteCallError(error));
      else resolve(reply as Reply);
    });
  });
}

/**
 * Calls a unary method on `pipe` (one stream for every call to a node, proto/pipe.ts); a failure
 * rejects with the same RemoteCallError as unaryCall's.
 */
export async function pipeCall<Request, Reply>(
  pipe: PipeClient,
  method: PipeMethod<Request, Reply>,
  request: Request,
  deadlineMs: number,
): Promise<Reply> {
  try {
    return await pipe.call(method, request, deadlineMs);
  } catch (error) {
    throw toRemoteCallError(error as grpc.ServiceError);
  }
}

/** The typed error of a failed call: its status, and Tessera's code from the metadata. */
export function toRemoteCallError(error: grpc.ServiceError): RemoteCallError {
  const code = error.metadata?.get('tessera-code')[0];
  return new RemoteCallError(
    error.code,
    typeof code === 'string' ? code : (grpc.status[error.code] ?? 'UNKNOWN'),
    error.details || error.message,
  );
}
