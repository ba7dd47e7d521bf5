/**
 * The Fragments gRPC service: a node's fragment store, as every consistency manager reaches it.
 * Each handler converts the message, calls the store, and converts the outcome; a malformed or
 * out-of-range request gets INVALID_ARGUMENT naming the field, and changes nothing.
 */
import type * as grpc from '@grpc/grpc-js';
import type { FragmentsHandlers } from '../../proto/generated/tessera/v1/Fragments.js';
import type { FragmentStore } from '../store/fragment-store.js';
import {
  fragment,
  refusal,
  required,
  stamped,
  version,
  versionMessage,
} from './fragment-messages.js';
import { toServiceFailure, unary } from './status-mapping.js';

export function fragmentHandlers(store: FragmentStore): FragmentsHandlers {
  return {
    WriteData: unary(async (request) => {
      const outcome = await store.writeData({
        ...stamped(request.stamp),
        offset: request.offset,
        bytes: request.bytes,
        digest: request.digest,
      });
      return outcome.ok
        ? {
            ok: true,
            version: versionMessage(outcome.version),
            repeated: outcome.repeated,
            delta: outcome.delta,
          }
        : { ok: false, refusal: refusal(outcome) };
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
      const read = await store.read(id, request.blockBytes, request.offset, length);
      return {
        bytes: read.bytes,
        version: versionMessage(read.version),
        registry: (read.registry ?? []).map(versionMessage),
        settled: versionMessage(read.settled),
      };
    }),
    Fence: unary(async (request) => ({
      fenceEpoch: await store.fence(request.volume, request.stripe, request.epoch),
    })),
    History: unary(async (request) => {
      const entries = await store.history(fragment(required(request.fragment, 'fragment')));
      return {
        entries: entries.map((entry) => ({
          version: versionMessage(entry.version),
          kind: entry.kind,
          writer: entry.writer,
          eventTimeMs: entry.eventTimeMs,
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
          const failure = toServiceFailure(error);
          call.destroy(Object.assign(new Error(failure.details), failure));
        }
      })();
    },
  };
}
