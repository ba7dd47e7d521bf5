/**
 * A promise-based client of a node's Fragments service, for the consistency managers. A failed
 * call rejects with a RemoteCallError that carries the gRPC status and Tessera's stable code.
 */
import * as grpc from '@grpc/grpc-js';
import type { FragmentsClient } from '../../proto/generated/tessera/v1/Fragments.js';
import { CHANNEL_OPTIONS, fragmentsProto } from '../../proto/load.js';
import type { ReadChunk__Output } from '../../proto/generated/tessera/v1/ReadChunk.js';
import type { ReadRequest } from '../../proto/generated/tessera/v1/ReadRequest.js';
import type { Version__Output } from '../../proto/generated/tessera/v1/Version.js';
import type { WriteReply__Output } from '../../proto/generated/tessera/v1/WriteReply.js';
import type { WriteWholeChunk } from '../../proto/generated/tessera/v1/WriteWholeChunk.js';
import type { ListItem__Output } from '../../proto/generated/tessera/v1/ListItem.js';
import type { FragmentId } from '../store/version.js';
import { PipeClient, type PipeMethod } from '../../proto/pipe.js';
import { pipeCall, toRemoteCallError, unaryCall } from './unary-call.js';

export { RemoteCallError as FragmentCallError } from './unary-call.js';

type Method =
  | 'WriteData'
  | 'ApplyParity'
  | 'WriteWhole'
  | 'Read'
  | 'Fence'
  | 'History'
  | 'ExportHistory'
  | 'ImportHistory'
  | 'DeleteFragment';
type RequestOf<M extends Method> = Parameters<FragmentsClient[M]>[0];
type ReplyOf<M extends Method> = Parameters<
  Extract<Parameters<FragmentsClient[M]>[1], (...args: never[]) => void>
>[1];

export class FragmentClient {
  private readonly client: FragmentsClient;
  private readonly pipe: PipeClient;

  constructor(
    readonly address: string,
    private readonly deadlineMs = 10_000,
  ) {
    this.client = new Client(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    this.pipe = new PipeClient(address, CHANNEL_OPTIONS, this.client);
  }

  /**
   * Calls `method`: on the pipe (one stream for every call to this node), or as a unary call of
   * its own when the request or the reply may be large (a whole fragment), so that it does not
   * hold up the small calls queued behind it on the pipe.
   */
  async call<M extends Method>(method: M, request: RequestOf<M>): Promise<NonNullable<ReplyOf<M>>> {
    if (carriesLarge(method, request))
      return unaryCall(this.client, method, request, this.deadlineMs);
    // (TypeScript cannot tie the method's definition to M through the service's union.)
    const definition = Client.service[method] as unknown as PipeMethod<
      RequestOf<M>,
      NonNullable<ReplyOf<M>>
    >;
    return pipeCall(this.pipe, definition, request, this.deadlineMs);
  }

  /** A fragment (or a range of it) streamed back in chunks, reassembled. */
  readStream(
    request: ReadRequest,
  ): Promise<{ bytes: Buffer; version: Version__Output | null; registry: Version__Output[] }> {
    return new Promise((resolve, reject) => {
      const stream = this.client.ReadStream(request, {
        deadline: new Date(Date.now() + this.deadlineMs),
      });
      const parts: Buffer[] = [];
      let state: { version: Version__Output | null; registry: Version__Output[] } = {
        version: null,
        registry: [],
      };
      stream.on('data', (chunk: ReadChunk__Output) => {
        if (parts.length === 0) state = { version: chunk.version, registry: chunk.registry };
        parts.push(chunk.bytes);
      });
      stream.on('error', (error: grpc.ServiceError) => reject(toRemoteCallError(error)));
      stream.on('end', () => resolve({ bytes: Buffer.concat(parts), ...state }));
    });
  }

  /** Every fragment the store holds (of one volume, when named), as streamed by List. */
  list(volume = ''): Promise<{ fragment: FragmentId; blockBytes: number }[]> {
    return new Promise((resolve, reject) => {
      const items: { fragment: FragmentId; blockBytes: number }[] = [];
      const stream = this.client.List(
        { volume },
        { deadline: new Date(Date.now() + 10 * this.deadlineMs) },
      );
      stream.on('data', (item: ListItem__Output) => {
        if (item.fragment)
          items.push({
            fragment: {
              volume: item.fragment.volume,
              stripe: Number(item.fragment.stripe),
              index: item.fragment.index,
            },
            blockBytes: item.blockBytes,
          });
      });
      stream.on('error', (error: grpc.ServiceError) => reject(toRemoteCallError(error)));
      stream.on('end', () => resolve(items));
    });
  }

  /** A whole fragment written in chunks: the first carries the stamp, registry and digest. */
  writeWholeStream(
    header: Omit<WriteWholeChunk, 'offset' | 'bytes'>,
    bytes: Uint8Array,
    chunkBytes = 256 << 10,
  ): Promise<WriteReply__Output> {
    return new Promise((resolve, reject) => {
      const stream = this.client.WriteWholeStream(
        { deadline: new Date(Date.now() + this.deadlineMs) },
        (error, reply) => (error ? reject(toRemoteCallError(error)) : resolve(reply!)),
      );
      for (let offset = 0; offset === 0 || offset < bytes.length; offset += chunkBytes) {
        stream.write({
          ...(offset === 0 ? header : {}),
          offset,
          bytes: bytes.subarray(offset, offset + chunkBytes),
        });
      }
      stream.end();
    });
  }

  close(): void {
    this.pipe.close();
    this.client.close();
  }
}

const Client = fragmentsProto().tessera.v1.Fragments;

/** Above this many bytes a request or reply goes as a unary call of its own, not on the pipe. */
export const PIPE_BYTES_MAX = 1 << 20;

/** Whether a call may move more than PIPE_BYTES_MAX either way. */
function carriesLarge<M extends Method>(method: M, request: RequestOf<M>): boolean {
  // A fragment's history has no size known before it is read: never on the pipe.
  if (method === 'ExportHistory' || method === 'ImportHistory') return true;
  if (method !== 'Read') {
    const { bytes, delta } = request as { bytes?: Uint8Array; delta?: Uint8Array };
    return ((bytes ?? delta)?.length ?? 0) > PIPE_BYTES_MAX;
  }
  const read = request as RequestOf<'Read'>;
  const offset = Number(read.offset ?? 0);
  const length = Number(read.length ?? 0) || Number(read.blockBytes ?? 0) - offset;
  return length > PIPE_BYTES_MAX;
}
