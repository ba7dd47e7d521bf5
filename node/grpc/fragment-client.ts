/**
 * A promise-based client of a node's Fragments service, for the consistency managers. A failed
 * call rejects with a FragmentCallError that carries the gRPC status and Tessera's stable code.
 */
import * as grpc from '@grpc/grpc-js';
import type { FragmentsClient } from '../../proto/generated/tessera/v1/Fragments.js';
import { CHANNEL_OPTIONS, fragmentsProto } from '../../proto/load.js';

/** A call that failed: `status` is the gRPC status, `code` Tessera's (e.g. STORE_CHECKSUM). */
export class FragmentCallError extends Error {
  constructor(
    readonly status: grpc.status,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FragmentCallError';
  }
}

type Method = 'WriteData' | 'ApplyParity' | 'WriteWhole' | 'Read' | 'Fence' | 'History';
type RequestOf<M extends Method> = Parameters<FragmentsClient[M]>[0];
type ReplyOf<M extends Method> = Parameters<
  Extract<Parameters<FragmentsClient[M]>[1], (...args: never[]) => void>
>[1];

export class FragmentClient {
  private readonly client: FragmentsClient;

  constructor(
    readonly address: string,
    private readonly deadlineMs = 10_000,
  ) {
    const Client = fragmentsProto().tessera.v1.Fragments;
    this.client = new Client(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  }

  call<M extends Method>(method: M, request: RequestOf<M>): Promise<NonNullable<ReplyOf<M>>> {
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + this.deadlineMs);
      const invoke = this.client[method].bind(this.client) as unknown as (
        request: RequestOf<M>,
        options: grpc.CallOptions,
        callback: (error: grpc.ServiceError | null, reply?: ReplyOf<M>) => void,
      ) => void;
      invoke(request, { deadline }, (error, reply) => {
        if (error) {
          const code = error.metadata?.get('tessera-code')[0];
          reject(
            new FragmentCallError(
              error.code,
              typeof code === 'string' ? code : 'UNAVAILABLE',
              error.details || error.message,
            ),
          );
        } else resolve(reply as NonNullable<ReplyOf<M>>);
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
