/**
 * The Fragments gRPC service: a node's fragment store, as every consistency manager reaches it.
 * Each handler converts the message, calls the store, and converts the outcome; a malformed or
 * out-of-range request gets INVALID_ARGUMENT naming the field, and changes nothing.
 */
import type * as grpc from '@grpc/grpc-js';
import type { FragmentsHandlers } from '../../proto/generated/tessera/v1/Fragments.js';
import type { WriteWholeChunk__Output } from '../../proto/generated/tessera/v1/WriteWholeChunk.js';
import { crc32c } from '@node-rs/crc32';
import { InvalidRequestError } from '../store/errors.js';
import type { FragmentStore, WriteOutcome } from '../store/fragment-store.js';
import {
  fragment,
  refusal,
  required,
  stamped,
  version,
  versionMessage,
} from './fragment-messages.js';
import { toServiceFailure, unary } from './status-mapping.js';

function writeReply(outcome: WriteOutcome<object>) {
  return outcome.ok
    ? { ok: true, version: versionMessage(outcome.version), repeated: outcome.repeated }
    : { ok: false, refusal: refusal(outcome) };
}

export function fragmentHandlers(store: FragmentStore): FragmentsHandlers {
  return {
    WriteData: unary(async (request) => {
      const outcome = await store.writeData({
        ...stamped(request.stamp),
        offset: request.offset,
        bytes: request.bytes,
        digest: request.digest,
        ...(request.registry.length > 0
          ? {
              registry: request.registry.map((entry, index) =>
                version(entry, `registry[${index}]`),
              ),
            }
          : {}),
      });
      if (!outcome.ok) return { ok: false, refusal: refusal(outcome) };
      const reply = {
        ok: true,
        version: versionMessage(outcome.version),
        repeated: outcome.repeated,
      };
      return request.deltaCrcOnly
        ? { ...reply, deltaCrc32c: crc32c(outcome.delta) }
        : { ...reply, delta: outcome.delta };
    }),
    ApplyParity: unary(async (request) => {
      const outcome = await store.applyParity({
        ...stamped(request.stamp),
        offset: request.offset,
        delta: request.delta,
        coefficient: request.coefficient,
        registry: request.registry.map((entry, index) => version(entry, `registry[${index}]`)),
        digest: request.digest,
      });
      return outcome.ok
        ? { ok: true, version: versionMessage(outcome.version), repeated: outcome.repeated }
        : { ok: false, refusal: refusal(outcome) };
    }),
    WriteWhole: unary(async (request) => {
      const outcome = await store.writeWhole({
        ...stamped(request.stamp),
        bytes: request.bytes,
        registry:
          request.registry.length > 0
            ? request.registry.map((entry, index) => version(entry, `registry[${index}]`))
            : null,
        digest: request.digest,
      });
      return outcome.ok
        ? { ok: true, version: versionMessage(outcome.version), repeated: outcome.repeated }
        : { ok: false, refusal: refusal(outcome) };
    }),
    Read: unary(async (request) => {
      const id = fragment(request.fragment);
      const length = request.length === 0 ? request.blockBytes - request.offset : request.length;
      if (request.version) {
        const bytes = await store.readVersion(
          id,
          request.blockBytes,
          version(request.version, 'version'),
          request.offset,
          length,
        );
        return { bytes, version: request.version };
      }
      const read = await store.read(id, request.blockBytes, request.offset, length, {
        zerosUnsent: true,
      });
      return {
        bytes: read.bytes,
        zeros: read.zeros ?? false,
        version: versionMessage(read.version),
        registry: (read.registry ?? []).map(versionMessage),
        settled: versionMessage(read.settled),
      };
    }),
    Fence: unary(async (request) => ({
      fenceEpoch: await store.fence(request.volume, request.stripe, request.epoch, request.seq),
    })),
    ExportHistory: unary(async (request) => {
      const exported = await store.exportHistory(
        fragment(required(request.fragment, 'fragment')),
        request.blockBytes,
        request.skip.map((entry, index) => version(entry, `skip[${index}]`)),
      );
      return { ...exported, base: exported.base ?? new Uint8Array(0) };
    }),
    ImportHistory: unary(async (request) => {
      const history = required(request.history, 'history');
      const outcome = await store.importHistory(
        fragment(required(request.fragment, 'fragment')),
        request.blockBytes,
        {
          meta: history.meta,
          base: history.base.length > 0 ? history.base : null,
          records: history.records,
        },
        request.ownershipEpoch,
      );
      return writeReply(outcome);
    }),
    DeleteFragment: unary(async (request) =>
      writeReply(
        await store.deleteFragment(
          fragment(required(request.fragment, 'fragment')),
          request.blockBytes,
          version(required(request.expected, 'expected'), 'expected'),
          version(required(request.stamp, 'stamp'), 'stamp'),
        ),
      ),
    ),
    History: unary(async (request) => {
      const entries = await store.history(fragment(required(request.fragment, 'fragment')));
      return {
        entries: entries.map((entry) => ({
          version: versionMessage(entry.version),
          kind: entry.kind,
          writer: entry.writer,
          alsoWriters: entry.alsoWriters ?? [],
          registry: (entry.registry ?? []).map(versionMessage),
          eventTimeMs: entry.eventTimeMs,
          foldedWriters: entry.foldedWriters ?? [],
        })),
      };
    }),
    List: (call: grpc.ServerWritableStream<{ volume: string }, unknown>) => {
      void (async () => {
        try {
          for await (const item of store.list(call.request.volume || undefined)) {
            if (call.cancelled) return;
            if (
              !call.write({
                fragment: item.fragment,
                version: versionMessage(item.version),
                blockBytes: item.blockBytes,
              })
            ) {
              await new Promise((resolve) => call.once('drain', resolve));
            }
          }
          call.end();
        } catch (error) {
          failStream(call, error);
        }
      })();
    },
    ReadStream: (call) => {
      void (async () => {
        try {
          const { request } = call;
          const id = fragment(request.fragment);
          const length =
            request.length === 0 ? request.blockBytes - request.offset : request.length;
          const read = request.version
            ? {
                bytes: await store.readVersion(
                  id,
                  request.blockBytes,
                  version(request.version, 'version'),
                  request.offset,
                  length,
                ),
                version: version(request.version, 'version'),
                registry: null,
              }
            : await store.read(id, request.blockBytes, request.offset, length);
          for (let at = 0; at === 0 || at < read.bytes.length; at += STREAM_CHUNK_BYTES) {
            if (call.cancelled) return;
            const chunk = {
              offset: request.offset + at,
              bytes: read.bytes.subarray(at, at + STREAM_CHUNK_BYTES),
            };
            const first =
              at === 0
                ? {
                    version: versionMessage(read.version),
                    registry: (read.registry ?? []).map(versionMessage),
                  }
                : {};
            if (!call.write({ ...chunk, ...first }))
              await new Promise((resolve) => call.once('drain', resolve));
          }
          call.end();
        } catch (error) {
          failStream(call, error);
        }
      })();
    },
    WriteWholeStream: (call, callback) => {
      let first: WriteWholeChunk__Output | undefined;
      const parts: Buffer[] = [];
      let received = 0;
      let problem: InvalidRequestError | undefined;
      call.on('data', (chunk: WriteWholeChunk__Output) => {
        if (problem) return;
        if (!first) {
          if (!chunk.stamp)
            return void (problem = new InvalidRequestError(
              'stamp',
              'the first chunk must carry the stamp',
            ));
          first = chunk;
        }
        if (chunk.offset !== received)
          return void (problem = new InvalidRequestError(
            'offset',
            `chunks must come in order without gaps: expected ${received}, got ${chunk.offset}`,
          ));
        received += chunk.bytes.length;
        if (received > first.stamp!.blockBytes)
          return void (problem = new InvalidRequestError(
            'bytes',
            `more than the fragment's ${first.stamp!.blockBytes} bytes`,
          ));
        parts.push(chunk.bytes);
      });
      call.on('error', () => {});
      call.on('end', () => {
        if (problem || !first)
          return callback(
            toServiceFailure(problem ?? new InvalidRequestError('stamp', 'no chunk was sent')),
          );
        const header = first;
        store
          .writeWhole({
            ...stamped(header.stamp),
            bytes: Buffer.concat(parts),
            registry:
              header.registry.length > 0
                ? header.registry.map((entry, index) => version(entry, `registry[${index}]`))
                : null,
            digest: header.digest,
          })
          .then(
            (outcome) =>
              callback(
                null,
                outcome.ok
                  ? {
                      ok: true,
                      version: versionMessage(outcome.version),
                      repeated: outcome.repeated,
                    }
                  : { ok: false, refusal: refusal(outcome) },
              ),
            (error: unknown) => callback(toServiceFailure(error)),
          );
      });
    },
  };
}

/** Bytes per message of a streamed fragment. */
export const STREAM_CHUNK_BYTES = 256 << 10;

/**
 * Ends a server stream with the mapped status of `error`. (grpc-js sends a status for an 'error'
 * event that carries one; destroy() would leave the client waiting for its deadline.)
 */
function failStream(call: grpc.ServerWritableStream<unknown, unknown>, error: unknown): void {
  call.emit('error', toServiceFailure(error));
}
