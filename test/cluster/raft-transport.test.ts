// Proves that Raft messages cross gRPC on loopback intact (byte arrays included), that a member
// ignores messages of another cluster or for another member, and that a sender reconnects to a
// peer that went away and came back on the same address.
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { Message } from '../../consensus/index.js';
import { RaftTransport } from '../../node/cluster/raft-transport.js';
import { stopServer } from '../../node/grpc/server.js';
import { CHANNEL_OPTIONS, raftProto } from '../../proto/load.js';

async function serve(
  transport: RaftTransport,
  address: string,
): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server(CHANNEL_OPTIONS);
  server.addService(raftProto().tessera.v1.Raft.service, transport.handlers());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

const stop = (server: grpc.Server): Promise<void> => stopServer(server, 200);

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) expect.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function append(from: number, to: number, term: number): Message {
  return {
    type: 'append',
    from,
    to,
    term,
    prevIndex: 4,
    prevTerm: 1,
    commit: 3,
    // One entry's data a Uint8Array, the other's a Buffer (what Buffer.from gives a proposer).
    entries: [
      { index: 5, term, kind: 'command', data: Uint8Array.of(0, 1, 2, 250, 255) },
      { index: 6, term, kind: 'command', data: Buffer.from([9, 8, 7]) },
    ],
  } as unknown as Message;
}

describe('cluster: Raft over gRPC', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('delivers messages with their byte arrays intact, and refuses other clusters and members', async () => {
    const received: Message[] = [];
    const b = new RaftTransport('alpha', 2, (message) => received.push(message));
    const server = await serve(b, '127.0.0.1:0');
    const a = new RaftTransport('alpha', 1, () => {});
    const stranger = new RaftTransport('beta', 1, () => {});
    cleanups.push(
      () => a.close(),
      () => stranger.close(),
      () => b.close(),
      () => stop(server.server),
    );
    a.setPeer(2, server.address);
    stranger.setPeer(2, server.address);
    a.send(append(1, 2, 7));
    stranger.send(append(1, 2, 8));
    a.send(append(1, 2, 9));
    await until(
      () => received.length === 2 && b.counters.refused === 1,
      'two messages and one refusal',
    );
    expect(received.map((message) => message.term)).to.deep.equal([7, 9]);
    expect(b.lastHeardMs(1), 'the failure detector hears the sender').to.be.a('number');
    expect(b.lastHeardMs(3)).to.equal(undefined);
    const entries = (received[0] as unknown as { entries: { data: Uint8Array }[] }).entries;
    expect(entries.every((entry) => entry.data instanceof Uint8Array)).to.equal(true);
    expect(entries.map((entry) => [...entry.data])).to.deep.equal([
      [0, 1, 2, 250, 255],
      [9, 8, 7],
    ]);
  });

  it('drops what it cannot send and reconnects when the peer is back on its address', async () => {
    const received: Message[] = [];
    const b = new RaftTransport('alpha', 2, (message) => received.push(message));
    const first = await serve(b, '127.0.0.1:0');
    const a = new RaftTransport('alpha', 1, () => {});
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    a.setPeer(2, first.address);
    a.send(append(1, 2, 1));
    await until(() => received.length === 1, 'the first message');
    await stop(first.server);
    for (let i = 0; i < 5; i++) {
      a.send(append(1, 2, 2));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const again = await serve(b, first.address);
    cleanups.push(() => stop(again.server));
    await until(
      () => {
        a.send(append(1, 2, 3));
        return received.some((message) => message.term === 3);
      },
      'a message after the peer came back',
      10_000,
    );
    expect(a.counters.dropped + a.counters.sent).to.be.greaterThan(received.length - 1);
  });
});
