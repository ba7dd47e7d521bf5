/**
 * A promise-based client of a node's Fragments service, for the consistency managers. A failed
 * call rejects with a RemoteCallError that carries the gRPC status and Tessera's stable code.
 */
import * as grpc from '@grpc/grpc-js';
import type { FragmentsClient } from '../../proto/generated/tessera/v1/Fragments.js';
import { CHANNEL_OPTIONS, fragmentsProto } from '../../proto/load.js';
import { unaryCall } from './unary-call.js';

export { RemoteCallError as FragmentCallError } from './unary-call.js';

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
    return unaryCall(this.client, method, request, this.deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}
