// Proves that a node's fragment store is reachable over gRPC on loopback with its contract intact:
// stamped writes and their refusals, reads of current and past versions, fences, listing; and
// that every malformed or out-of-range request gets INVALID_ARGUMENT naming the field and
// changes nothing, a checksum failure DATA_LOSS, never bytes.
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { MemoryLevel } from 'memory-level';
import { NodeMetrics } from '../../node/admin/metrics.js';
import { FragmentClient, FragmentCallError } from '../../node/grpc/fragment-client.js';
import { serveFragments, type RunningServer } from '../../node/grpc/server.js';
import { FragmentStore, type Level } from '../../node/store/fragment-store.js';
import { fragmentsProto } from '../../proto/load.js';
import { keys } from '../../node/store/store-codec.js';
import { digestOf } from '../../node/store/store-requests.js';
import { remoteStore } from '../../node/grpc/remote-store.js';
import { crc32c } from '@node-rs/crc32';

const BLOCK = 8192;
const fragment = { volume: 'vol', stripe: 12, index: 1 };
const writer = { writerId: 'w1', writerSeq: 1, part: 0, parts: 1, eventTimeMs: 5 };

function dataRequest(expected: number, next: number, offset: number, bytes: Uint8Array) {
  return {
    stamp: {
      fragment,
      blockBytes: BLOCK,
      expected: expected === 0 ? { epoch: 0, seq: 0 } : { epoch: 1, seq: expected },
      next: { epoch: 1, seq: next },
      writer: { ...writer, writerSeq: next },
    },
    offset,
    bytes,
    digest: digestOf(bytes),
  };
}

async function failure(promise: Promise<unknown>): Promise<FragmentCallError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).to.be.instanceOf(FragmentCallError);
  return error as FragmentCallError;
}

describe('grpc: the Fragments service', () => {
  let db: Level;
  let store: FragmentStore;
  let server: RunningServer;
  let client: FragmentClient;
  let metrics: NodeMetrics;

  beforeEach(async () => {
    db = new MemoryLevel<string, Uint8Array>({
      keyEncoding: 'utf8',
      valueEncoding: 'view',
    });
    store = await FragmentStore.open({ db });
    metrics = new NodeMetrics({ node: 'test' });
    server = await serveFragments(store, '127.0.0.1:0', metrics);
    client = new FragmentClient(server.address);
  });
  afterEach(async () => {
    client.close();
    await server.stop();
    await store.close();
  });

  it('binds to loopback only', () => {
    expect(server.address).to.match(/^127\.0\.0\.1:\d+$/);
  });

  it('writes, returns the delta, reads back current and past versions, and lists', async () => {
    const first = await client.call(
      'WriteData',
      dataRequest(0, 1, 100, new Uint8Array(50).fill(7)),
    );
    expect(first).to.deep.include({ ok: true, repeated: false });
    expect(first.delta).to.deep.equal(Buffer.alloc(50, 7));
    const second = await client.call(
      'WriteData',
      dataRequest(1, 2, 120, new Uint8Array(10).fill(9)),
    );
    expect(second.delta).to.deep.equal(Buffer.alloc(10, 7 ^ 9));
    const current = await client.call('Read', {
      fragment,
      blockBytes: BLOCK,
      offset: 100,
      length: 40,
    });
    expect(current.version).to.deep.equal({ epoch: 1, seq: 2 });
    expect([...current.bytes.subarray(18, 22)]).to.deep.equal([7, 7, 9, 9]);
    const past = await client.call('Read', {
      fragment,
      blockBytes: BLOCK,
      offset: 100,
      length: 40,
      version: { epoch: 1, seq: 1 },
    });
    expect(past.bytes).to.deep.equal(Buffer.alloc(40, 7));
    const history = await client.call('History', { fragment });
    expect(history.entries?.map((entry) => entry.version?.seq)).to.deep.equal([1, 2]);

    const listed: unknown[] = [];
    const Client = (
      client as unknown as { client: { List(request: object): grpc.ClientReadableStream<unknown> } }
    ).client;
    await new Promise<void>((resolve, reject) => {
      const stream = Client.List({ volume: 'vol' });
      stream.on('data', (item) => listed.push(item));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    expect(listed).to.deep.equal([
      {
        fragment: { volume: 'vol', stripe: 12, index: 1 },
        version: { epoch: 1, seq: 2 },
        blockBytes: BLOCK,
      },
    ]);
  });

  it('answers a read of a fragment never written with zeros, without sending them', async () => {
    const reply = await client.call('Read', { fragment, blockBytes: BLOCK, offset: 8, length: 0 });
    expect(reply.zeros).to.equal(true);
    expect(reply.bytes.length, 'no bytes on the wire').to.equal(0);
    expect(reply.version).to.deep.equal({ epoch: 0, seq: 0 });
    const read = await remoteStore(client).read(fragment, BLOCK, 8, 100);
    expect(read.bytes).to.deep.equal(new Uint8Array(100));
    expect((await remoteStore(client).read(fragment, BLOCK, 8, 0)).bytes.length).to.equal(
      BLOCK - 8,
    );
    // Once written, the bytes travel.
    await client.call('WriteData', dataRequest(0, 1, 0, new Uint8Array(16).fill(4)));
    const written = await client.call('Read', {
      fragment,
      blockBytes: BLOCK,
      offset: 0,
      length: 16,
    });
    expect(written.zeros).to.equal(false);
    expect(written.bytes).to.deep.equal(Buffer.alloc(16, 4));
  });

  it("answers with the delta's CRC32C instead of the delta when asked (the owner knows the delta)", async () => {
    await client.call('WriteData', dataRequest(0, 1, 0, new Uint8Array(64).fill(3)));
    const reply = await client.call('WriteData', {
      ...dataRequest(1, 2, 0, new Uint8Array(64).fill(5)),
      deltaCrcOnly: true,
    });
    expect(reply).to.deep.include({ ok: true, repeated: false });
    expect(reply.delta.length).to.equal(0);
    expect(reply.deltaCrc32c).to.equal(crc32c(Buffer.alloc(64, 3 ^ 5)));
    const port = remoteStore(client);
    const outcome = await port.writeData({
      fragment,
      blockBytes: BLOCK,
      expected: { epoch: 1, seq: 2 },
      next: { epoch: 1, seq: 3 },
      writer: { ...writer, writerSeq: 3 },
      offset: 0,
      bytes: new Uint8Array(64).fill(6),
      digest: digestOf(new Uint8Array(64).fill(6)),
      deltaCrcOnly: true,
    });
    expect(outcome).to.deep.include({ ok: true, deltaCrc32c: crc32c(Buffer.alloc(64, 5 ^ 6)) });
    expect(outcome).to.not.have.property('delta');
  });

  it('returns refusals as outcomes: behind, and fenced after a durable fence', async () => {
    await client.call('WriteData', dataRequest(0, 1, 0, new Uint8Array(4)));
    const behind = await client.call('WriteData', dataRequest(5, 6, 0, new Uint8Array(4)));
    expect(behind).to.deep.include({ ok: false });
    expect(behind.refusal).to.deep.equal({
      reason: 'behind',
      current: { epoch: 1, seq: 1 },
      fenceEpoch: 0,
    });
    expect(await client.call('Fence', { volume: 'vol', stripe: 12, epoch: 3 })).to.deep.equal({
      fenceEpoch: 3,
    });
    const fenced = await client.call('WriteData', dataRequest(1, 2, 0, new Uint8Array(4)));
    expect(fenced.refusal?.reason).to.equal('fenced');
  });

  it('answers malformed requests with INVALID_ARGUMENT naming the field, changing nothing', async () => {
    const good = dataRequest(0, 1, 0, new Uint8Array(16).fill(1));
    const cases: [object, RegExp][] = [
      [{ ...good, stamp: null }, /^stamp: is required/],
      [{ ...good, stamp: { ...good.stamp, next: null } }, /^stamp\.next: is required/],
      [
        { ...good, offset: BLOCK - 8 },
        /^bytes: \[8184, 8200\) falls outside a fragment of 8192 bytes/,
      ],
      [{ ...good, digest: 'ab' }, /^digest:/],
      [
        { ...good, stamp: { ...good.stamp, fragment: { ...fragment, volume: '' } } },
        /^fragment\.volume/,
      ],
      [{ ...good, stamp: { ...good.stamp, blockBytes: 0 } }, /^blockBytes/],
    ];
    for (const [request, message] of cases) {
      const error = await failure(client.call('WriteData', request));
      expect(error.status, JSON.stringify(message)).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(error.code).to.equal('INVALID_ARGUMENT');
      expect(error.message).to.match(message);
    }
    const read = await client.call('Read', { fragment, blockBytes: BLOCK });
    expect(read.version).to.deep.equal({ epoch: 0, seq: 0 });
    const outOfRange = await failure(
      client.call('Read', { fragment, blockBytes: BLOCK, offset: 9000 }),
    );
    expect(outOfRange.status).to.equal(grpc.status.INVALID_ARGUMENT);
  });

  it('counts each call by method and outcome and times it, for /metrics', async () => {
    await client.call('WriteData', dataRequest(0, 1, 0, new Uint8Array(8)));
    await failure(client.call('Read', { fragment, blockBytes: BLOCK, offset: 9000 }));
    const text = await metrics.registry.metrics();
    const sample = (name: string, labels: string[]): number | undefined => {
      const line = text
        .split('\n')
        .find(
          (candidate) =>
            candidate.startsWith(`${name}{`) && labels.every((label) => candidate.includes(label)),
        );
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    expect(
      sample('tessera_requests_total', ['method="WriteData"', 'outcome="ok"', 'node="test"']),
    ).to.equal(1);
    expect(sample('tessera_requests_total', ['method="Read"', 'outcome="error"'])).to.equal(1);
    expect(sample('tessera_request_duration_seconds_count', ['method="WriteData"'])).to.equal(1);
  });

  it('carries the other writer parts of a parity update both ways, and keeps them in the history', async () => {
    const remote = remoteStore(client);
    const parity = { ...fragment, index: 3 };
    const delta = new Uint8Array(64).fill(9);
    const also = [
      { writerId: 'w2', writerSeq: 40, part: 0, parts: 1, eventTimeMs: 6 },
      { writerId: 'w3', writerSeq: 2 ** 40, part: 2, parts: 3, eventTimeMs: 7 },
    ];
    const outcome = await remote.applyParity({
      fragment: parity,
      blockBytes: BLOCK,
      expected: { epoch: 0, seq: 0 },
      next: { epoch: 1, seq: 1 },
      writer,
      alsoWriters: also,
      offset: 8,
      delta,
      coefficient: 1,
      registry: [1, 2, 3, 4].map(() => ({ epoch: 1, seq: 1 })),
      digest: digestOf(delta),
    });
    expect(outcome.ok).to.equal(true);
    const [entry] = await remote.history(parity);
    expect(entry).to.deep.include({
      writer,
      alsoWriters: also,
      registry: [1, 2, 3, 4].map(() => ({ epoch: 1, seq: 1 })),
    });
    expect(await remote.history(parity)).to.deep.equal(await store.history(parity));
    const bad = await failure(
      client.call('ApplyParity', {
        stamp: {
          fragment: parity,
          blockBytes: BLOCK,
          expected: { epoch: 1, seq: 1 },
          next: { epoch: 1, seq: 2 },
          writer,
          alsoWriters: [{ ...writer, writerId: '' }],
        },
        offset: 0,
        delta,
        coefficient: 1,
        registry: [1, 2, 3, 4].map(() => ({ epoch: 1, seq: 2 })),
        digest: digestOf(delta),
      }),
    );
    expect(bad.status).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(bad.message).to.match(/alsoWriters\[0\]\.writerId/);
    expect((await remote.history(parity)).length).to.equal(1);
  });

  it('carries the writers a base folded in, so that a late retry is not taken for a write that never landed', async () => {
    const remote = remoteStore(client);
    await client.call('WriteData', dataRequest(0, 1, 0, new Uint8Array(64).fill(1)));
    const second = dataRequest(1, 2, 0, new Uint8Array(64).fill(2));
    await client.call('WriteData', {
      ...second,
      stamp: { ...second.stamp, settled: { epoch: 1, seq: 2 } },
    });
    expect(await store.fold(fragment, BLOCK, Number.MAX_SAFE_INTEGER)).to.equal(2);
    const [base] = await remote.history(fragment);
    expect(base).to.deep.include({ kind: 'base', version: { epoch: 1, seq: 2 } });
    expect(base?.foldedWriters).to.deep.equal([{ writerId: writer.writerId, writerSeq: 2 }]);
    expect(await remote.history(fragment)).to.deep.equal(await store.history(fragment));
  });

  it('moves a fragment with its history over the wire, then deletes the source at exactly its version', async () => {
    const remote = remoteStore(client);
    await client.call('WriteData', dataRequest(0, 1, 0, new Uint8Array(BLOCK).fill(1)));
    await client.call('WriteData', dataRequest(1, 2, 100, new Uint8Array(50).fill(2)));
    const exported = await remote.exportHistory(fragment, BLOCK);
    const target = await FragmentStore.open({
      db: new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }),
    });
    try {
      expect((await target.importHistory(fragment, BLOCK, exported, 1)).ok).to.equal(true);
      expect(await target.history(fragment)).to.deep.equal(await store.history(fragment));
      expect(await target.readVersion(fragment, BLOCK, { epoch: 1, seq: 1 })).to.deep.equal(
        new Uint8Array(BLOCK).fill(1),
      );
      // And back the other way, into a fragment the server does not hold yet.
      const other = { ...fragment, index: 5 };
      const back = await target.exportHistory(fragment, BLOCK);
      expect((await remote.importHistory(other, BLOCK, back, 1)).ok).to.equal(true);
      expect((await store.read(other, BLOCK)).bytes).to.deep.equal(
        (await store.read(fragment, BLOCK)).bytes,
      );
    } finally {
      await target.close();
    }
    const stamp = { epoch: 1, seq: 3 };
    expect(
      await remote.deleteFragment(fragment, BLOCK, { epoch: 1, seq: 1 }, stamp),
    ).to.deep.include({
      ok: false,
      reason: 'ahead',
    });
    expect((await remote.deleteFragment(fragment, BLOCK, { epoch: 1, seq: 2 }, stamp)).ok).to.equal(
      true,
    );
    expect(await store.history(fragment)).to.deep.equal([]);
    const bad = await failure(
      client.call('ImportHistory', {
        fragment,
        blockBytes: BLOCK,
        ownershipEpoch: 1,
        history: { meta: Buffer.from('{') },
      }),
    );
    expect(bad.status).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(bad.message).to.match(/history\.meta/);
  });

  it('answers a checksum failure with DATA_LOSS and its code, never with bytes', async () => {
    await client.call('WriteData', dataRequest(0, 1, 0, new Uint8Array(BLOCK).fill(3)));
    const record = await db.get(keys.record(fragment, { epoch: 1, seq: 1 }));
    const damaged = Uint8Array.from(record!);
    damaged[damaged.length - 9]! ^= 0x40;
    await db.put(keys.record(fragment, { epoch: 1, seq: 1 }), damaged);
    const error = await failure(client.call('Read', { fragment, blockBytes: BLOCK }));
    expect(error.status).to.equal(grpc.status.DATA_LOSS);
    expect(error.code).to.equal('STORE_CHECKSUM');
  });
});

describe('grpc: whole fragments streamed in chunks', () => {
  const BIG = 4 << 20;
  const big = { volume: 'vol', stripe: 99, index: 0 };
  let store: FragmentStore;
  let server: RunningServer;
  let client: FragmentClient;

  beforeEach(async () => {
    const db = new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' });
    store = await FragmentStore.open({ db });
    server = await serveFragments(store, '127.0.0.1:0');
    client = new FragmentClient(server.address);
  });
  afterEach(async () => {
    client.close();
    await server.stop();
    await store.close();
  });

  const header = (bytes: Uint8Array) => ({
    stamp: {
      fragment: big,
      blockBytes: BIG,
      expected: { epoch: 0, seq: 0 },
      next: { epoch: 2, seq: 1 },
      writer,
    },
    registry: [
      { epoch: 2, seq: 1 },
      { epoch: 2, seq: 1 },
      { epoch: 2, seq: 1 },
    ],
    digest: digestOf(bytes),
  });

  it('writes a 4 MiB fragment in 256 KiB chunks and reads it back in chunks, with its state', async () => {
    const bytes = new Uint8Array(BIG).map((_, i) => (i * 31 + 7) & 255);
    const written = await client.writeWholeStream(header(bytes), bytes);
    expect(written).to.deep.include({ ok: true, repeated: false });
    const read = await client.readStream({ fragment: big, blockBytes: BIG });
    expect(read.bytes.equals(Buffer.from(bytes))).to.equal(true);
    expect(read.version).to.deep.equal({ epoch: 2, seq: 1 });
    expect(read.registry).to.have.length(3);
    const again = await client.writeWholeStream(header(bytes), bytes);
    expect(again, 'the same stamp again returns the recorded outcome').to.deep.include({
      ok: true,
      repeated: true,
    });
  });

  it('refuses a stream without a stamp, chunks out of order, and a read out of range, naming what is wrong', async () => {
    const withoutStamp = await failure(
      client.writeWholeStream({ registry: [], digest: '' }, new Uint8Array(16)),
    );
    expect(withoutStamp.status).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(withoutStamp.message).to.match(/^stamp: the first chunk must carry the stamp/);

    const raw = new (fragmentsProto().tessera.v1.Fragments)(
      server.address,
      grpc.credentials.createInsecure(),
    );
    const outOfOrder = await new Promise<grpc.ServiceError | null>((resolve) => {
      const stream = raw.WriteWholeStream((error) => resolve(error));
      const bytes = new Uint8Array(BIG);
      stream.write({ ...header(bytes), offset: 0, bytes: bytes.subarray(0, 1024) });
      stream.write({ offset: 4096, bytes: bytes.subarray(4096, 8192) });
      stream.end();
    });
    raw.close();
    expect(outOfOrder?.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(outOfOrder?.details).to.match(
      /^offset: chunks must come in order without gaps: expected 1024, got 4096/,
    );
    expect((await store.read(big, BIG)).version, 'nothing was written').to.deep.equal({
      epoch: 0,
      seq: 0,
    });

    const outOfRange = await failure(
      client.readStream({ fragment: big, blockBytes: BIG, offset: BIG + 1 }),
    );
    expect(outOfRange.status).to.equal(grpc.status.INVALID_ARGUMENT);
  });
});
