/**
 * Another node's fragment store as a consistency manager reaches it over gRPC (the CM's
 * StorePort): each call converts the store request to the Fragments service's message and the
 * reply back. A refusal the protocol expects (behind, ahead, fenced) is a resolved outcome; a
 * failed call rejects with a RemoteCallError.
 */
import type { Refusal as RefusalMessage } from '../../proto/generated/tessera/v1/Refusal.js';
import type { Version__Output } from '../../proto/generated/tessera/v1/Version.js';
import type { StorePort } from '../cm/ports.js';
import type { Refusal, WriteOutcome } from '../store/fragment-store.js';
import type { StampedWrite } from '../store/store-requests.js';
import type { RecordKind } from '../store/store-codec.js';
import { VERSION_ZERO, type Version } from '../store/version.js';
import { FragmentClient } from './fragment-client.js';
import { version, versionMessage, writer } from './fragment-messages.js';

function fromMessage(message: Version__Output | null | undefined): Version {
  return message ? { epoch: message.epoch, seq: Number(message.seq) } : VERSION_ZERO;
}

function stampOf(request: StampedWrite) {
  return {
    fragment: request.fragment,
    blockBytes: request.blockBytes,
    expected: versionMessage(request.expected),
    next: versionMessage(request.next),
    writer: request.writer,
    alsoWriters: [...(request.alsoWriters ?? [])],
    ...(request.settled ? { settled: versionMessage(request.settled) } : {}),
  };
}

function outcomeOf<Extra extends object>(
  reply: {
    ok: boolean;
    version: Version__Output | null;
    repeated: boolean;
    refusal: (RefusalMessage & { current: Version__Output | null }) | null;
  },
  extra: Extra,
): WriteOutcome<Extra> {
  if (reply.ok)
    return { ok: true, version: fromMessage(reply.version), repeated: reply.repeated, ...extra };
  return {
    ok: false,
    reason: (reply.refusal?.reason ?? 'behind') as Refusal,
    current: fromMessage(reply.refusal?.current),
    fenceEpoch: reply.refusal?.fenceEpoch ?? 0,
  };
}

/** A StorePort over one node's Fragments service. */
export function remoteStore(client: FragmentClient): StorePort {
  return {
    async writeData(request) {
      const reply = await client.call('WriteData', {
        stamp: stampOf(request),
        offset: request.offset,
        bytes: request.bytes,
        digest: request.digest,
        deltaCrcOnly: request.deltaCrcOnly ?? false,
        registry: (request.registry ?? []).map(versionMessage),
      });
      return outcomeOf(
        reply,
        request.deltaCrcOnly
          ? { deltaCrc32c: reply.deltaCrc32c }
          : { delta: new Uint8Array(reply.delta) },
      );
    },
    async applyParity(request) {
      const reply = await client.call('ApplyParity', {
        stamp: stampOf(request),
        offset: request.offset,
        delta: request.delta,
        coefficient: request.coefficient,
        registry: request.registry.map(versionMessage),
        digest: request.digest,
      });
      return outcomeOf(reply, {});
    },
    async writeWhole(request) {
      const reply = await client.call('WriteWhole', {
        stamp: stampOf(request),
        bytes: request.bytes,
        registry: (request.registry ?? []).map(versionMessage),
        digest: request.digest,
      });
      return outcomeOf(reply, {});
    },
    async read(fragment, blockBytes, offset, length) {
      const reply = await client.call('Read', { fragment, blockBytes, offset, length });
      return {
        bytes: reply.zeros
          ? new Uint8Array(length === 0 ? blockBytes - offset : length)
          : new Uint8Array(reply.bytes),
        version: fromMessage(reply.version),
        registry: reply.registry.length > 0 ? reply.registry.map(fromMessage) : null,
        settled: fromMessage(reply.settled),
      };
    },
    async readVersion(fragment, blockBytes, version, offset, length) {
      const reply = await client.call('Read', {
        fragment,
        blockBytes,
        offset,
        length,
        version: versionMessage(version),
      });
      return new Uint8Array(reply.bytes);
    },
    async history(fragment) {
      const reply = await client.call('History', { fragment });
      return reply.entries.map((entry) => ({
        version: fromMessage(entry.version),
        kind: entry.kind as RecordKind | 'base',
        writer: entry.writer ? writer(entry.writer, 'writer') : null,
        ...(entry.alsoWriters.length > 0
          ? { alsoWriters: entry.alsoWriters.map((also) => writer(also, 'alsoWriters')) }
          : {}),
        ...(entry.registry.length > 0
          ? {
              registry: entry.registry.map((named, at) =>
                version(
                  named,
                  `history entry ${entry.version?.epoch ?? '?'}.${entry.version?.seq ?? '?'} registry[${at}]`,
                ),
              ),
            }
          : {}),
        eventTimeMs: Number(entry.eventTimeMs),
        ...(entry.foldedWriters.length > 0
          ? {
              foldedWriters: entry.foldedWriters.map(({ writerId, writerSeq }) => ({
                writerId,
                writerSeq: Number(writerSeq),
              })),
            }
          : {}),
      }));
    },
    async exportHistory(fragment, blockBytes, skip = []) {
      const reply = await client.call('ExportHistory', {
        fragment,
        blockBytes,
        skip: skip.map(versionMessage),
      });
      return {
        meta: new Uint8Array(reply.meta),
        base: reply.base.length > 0 ? new Uint8Array(reply.base) : null,
        records: reply.records.map((record) => new Uint8Array(record)),
      };
    },
    async importHistory(fragment, blockBytes, history, ownershipEpoch) {
      const reply = await client.call('ImportHistory', {
        fragment,
        blockBytes,
        ownershipEpoch,
        history: { ...history, base: history.base ?? new Uint8Array(0) },
      });
      return outcomeOf(reply, {});
    },
    async deleteFragment(fragment, blockBytes, expected, stamp) {
      const reply = await client.call('DeleteFragment', {
        fragment,
        blockBytes,
        expected: versionMessage(expected),
        stamp: versionMessage(stamp),
      });
      return outcomeOf(reply, {});
    },
    async fence(volume, stripe, epoch, seq = 0) {
      const reply = await client.call('Fence', { volume, stripe, epoch, seq });
      return reply.fenceEpoch;
    },
  };
}

/** The node's own store as a StorePort (no network in between). */
export function localStore(store: {
  writeData: StorePort['writeData'];
  applyParity: StorePort['applyParity'];
  writeWhole: StorePort['writeWhole'];
  read: StorePort['read'];
  readVersion: StorePort['readVersion'];
  history: StorePort['history'];
  fence: StorePort['fence'];
  exportHistory: StorePort['exportHistory'];
  importHistory: StorePort['importHistory'];
  deleteFragment: StorePort['deleteFragment'];
}): StorePort {
  return {
    writeData: (request) => store.writeData(request),
    applyParity: (request) => store.applyParity(request),
    writeWhole: (request) => store.writeWhole(request),
    read: (fragment, blockBytes, offset, length) =>
      store.read(fragment, blockBytes, offset, length),
    readVersion: (fragment, blockBytes, version, offset, length) =>
      store.readVersion(fragment, blockBytes, version, offset, length),
    history: (fragment) => store.history(fragment),
    fence: (volume, stripe, epoch, seq) => store.fence(volume, stripe, epoch, seq),
    exportHistory: (fragment, blockBytes, skip) => store.exportHistory(fragment, blockBytes, skip),
    importHistory: (fragment, blockBytes, history, ownershipEpoch) =>
      store.importHistory(fragment, blockBytes, history, ownershipEpoch),
    deleteFragment: (fragment, blockBytes, expected, stamp) =>
      store.deleteFragment(fragment, blockBytes, expected, stamp),
  };
}
