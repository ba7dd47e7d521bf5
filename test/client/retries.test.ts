// Proves the SDK's retry contract against CMs that refuse, fail and lose answers: NOT_OWNER makes
// it refresh its map and go to the owner named; OUTCOME_UNKNOWN and lost connections are retried
// with the same writer sequence marked as a retry (applied once); retries are bounded, and then a
// typed error says how to settle the write; the map is also followed in the background.
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import {
  connect,
  OutcomeUnknownError,
  realClientEnv,
  UnavailableError,
  type Cluster,
  type ClientEnv,
} from '../../client/index.js';
import { startFakeCluster, volumeRecord, type FakeCluster } from './fake-cluster.js';

const BLOCK = 4096;
const FAST = { backoffMsMin: 1, backoffMsMax: 5 };

describe('client: retries', () => {
  let cluster: FakeCluster;
  let client: Cluster | null = null;

  beforeEach(async () => {
    cluster = await startFakeCluster(3, [volumeRecord('disk', 2, 1, BLOCK)]);
  });
  afterEach(async () => {
    await client?.close();
    client = null;
    await cluster.stop();
  });

  const open = async (options: { attemptsMax?: number; env?: ClientEnv } = {}) => {
    client = await connect({
      seeds: cluster.seeds,
      mapRefreshMs: 3_600_000, // only NOT_OWNER refreshes the map in these scenarios
      retry: { ...FAST, attemptsMax: options.attemptsMax ?? 10 },
      ...(options.env ? { env: options.env } : {}),
    });
    return client.openVolume('disk');
  };

  /** Moves to epoch 2 without stripe 0's owner; returns the old and the new owner. */
  const removeOwnerOfStripe0 = (): { before: string; after: string } => {
    const before = cluster.state.ownerOf('disk', 0)!;
    cluster.state.advanceEpoch(cluster.nodes.map((node) => node.id).filter((id) => id !== before));
    return { before, after: cluster.state.ownerOf('disk', 0)! };
  };

  it('NOT_OWNER: refreshes the map and retries at the owner named, same sequence', async () => {
    const volume = await open();
    const viewsAtConnect = cluster.state.views;
    const { before, after } = removeOwnerOfStripe0();
    expect(client!.map().epoch).to.equal(1);

    const result = await volume.write(10, Buffer.from('moved'));

    const writes = cluster.state.writes();
    expect(
      writes.map((call) => [call.node, call.outcome, call.writerSeq, call.retry]),
    ).to.deep.equal([
      [before, 'not_owner', result.writerSeq, false],
      [after, 'applied', result.writerSeq, false],
    ]);
    expect(cluster.state.views).to.be.greaterThan(viewsAtConnect);
    expect(client!.map().epoch).to.equal(2);
    expect((await volume.read(10, 5)).toString()).to.equal('moved');
  });

  it('NOT_OWNER while every member still serves the old map: goes to the owner named', async () => {
    const volume = await open();
    cluster.state.viewMap = cluster.state.map; // the members lag behind at epoch 1
    const { before, after } = removeOwnerOfStripe0();

    await volume.write(0, Buffer.from('x'));

    expect(cluster.state.writes().map((call) => [call.node, call.outcome])).to.deep.equal([
      [before, 'not_owner'],
      [after, 'applied'],
    ]);
    expect(client!.map().epoch).to.equal(1);
  });

  it('OUTCOME_UNKNOWN: retries with the same sequence and retry=true; applied once', async () => {
    const volume = await open();
    cluster.state.faults.push('OUTCOME_UNKNOWN');

    const result = await volume.write(0, Buffer.from('once'));

    const writes = cluster.state.writes();
    expect(writes.map((call) => [call.outcome, call.writerSeq, call.retry])).to.deep.equal([
      ['outcome_unknown', result.writerSeq, false],
      ['repeated', result.writerSeq, true],
    ]);
    expect([...cluster.state.applied.values()].map((entry) => entry.times)).to.deep.equal([1]);
  });

  it('UNAVAILABLE (nothing applied): backs off and retries the same sequence until it lands', async () => {
    const volume = await open();
    cluster.state.faults.push('UNAVAILABLE', 'UNAVAILABLE');

    const result = await volume.write(0, Buffer.from('later'));

    expect(
      cluster.state.writes().map((call) => [call.outcome, call.writerSeq, call.retry]),
    ).to.deep.equal([
      ['unavailable', result.writerSeq, false],
      ['unavailable', result.writerSeq, false],
      ['applied', result.writerSeq, false],
    ]);
  });

  it('gives up after attemptsMax: UnavailableError when nothing was applied', async () => {
    const volume = await open({ attemptsMax: 3 });
    cluster.state.faults.push('UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE');

    const error = await volume.write(0, Buffer.from('no')).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(UnavailableError);
    expect((error as UnavailableError).code).to.equal('UNAVAILABLE');
    expect((error as Error).message).to.match(/retry later/);
    expect(cluster.state.writes()).to.have.length(3);
    expect(cluster.state.applied.size).to.equal(0);
  });

  it('gives up after attemptsMax of unknown outcomes: OutcomeUnknownError, settled by resending its sequence', async () => {
    const volume = await open({ attemptsMax: 2 });
    cluster.state.faults.push('OUTCOME_UNKNOWN', 'OUTCOME_UNKNOWN');

    const error = await volume.write(0, Buffer.from('maybe')).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(OutcomeUnknownError);
    const { writerSeq } = error as OutcomeUnknownError;
    expect(writerSeq).to.be.a('number');

    const settled = await volume.write(0, Buffer.from('maybe'), { writerSeq: writerSeq! });
    expect(settled.writerSeq).to.equal(writerSeq);
    expect(cluster.state.writes().map((call) => [call.outcome, call.retry])).to.deep.equal([
      ['outcome_unknown', false],
      ['outcome_unknown', true], // recognised as a retry, but the answer was lost again
      ['repeated', true],
    ]);
    expect([...cluster.state.applied.values()].map((entry) => entry.times)).to.deep.equal([1]);
  });

  it('a lost connection: retried as a retry once the node is back', async () => {
    let sleeps = 0;
    let slept: () => void = () => {};
    const env: ClientEnv = {
      ...realClientEnv,
      sleep: (ms, signal) => {
        sleeps++;
        slept();
        return realClientEnv.sleep(ms, signal);
      },
    };
    const volume = await open({ env, attemptsMax: 1000 });
    const owner = cluster.nodes.find((node) => node.id === cluster.state.ownerOf('disk', 0))!;
    cluster.kill(owner);

    const writing = volume.write(0, Buffer.from('back'));
    // Step: the client has failed at least once and is backing off; bring the node back.
    await new Promise<void>((resolve) => {
      slept = resolve;
      if (sleeps > 0) resolve();
    });
    await cluster.restart(owner);
    const result = await writing;

    const writes = cluster.state.writes();
    expect(
      writes.map((call) => [call.node, call.outcome, call.writerSeq, call.retry]),
    ).to.deep.equal([[owner.id, 'applied', result.writerSeq, true]]);
  });

  it('with no node answering, a write surfaces OutcomeUnknownError (it may have landed)', async () => {
    const volume = await open({ attemptsMax: 2 });
    for (const node of cluster.nodes) cluster.kill(node);
    const error = await volume.write(0, Buffer.from('gone')).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(OutcomeUnknownError);
    expect((error as OutcomeUnknownError).writerSeq).to.be.a('number');
    const read = await volume.read(0, 4).catch((caught: unknown) => caught);
    expect(read).to.be.instanceOf(UnavailableError);
  });

  it('reads retry the same way: NOT_OWNER and UNAVAILABLE', async () => {
    const volume = await open();
    await volume.write(0, Buffer.from('read me'));
    const { after } = removeOwnerOfStripe0();
    cluster.state.faults.push('UNAVAILABLE');

    expect((await volume.read(0, 7)).toString()).to.equal('read me');

    const reads = cluster.state.calls.filter((call) => call.kind === 'read');
    expect(reads.map((call) => call.outcome)).to.deep.equal(['not_owner', 'unavailable', 'read']);
    expect(reads.at(-1)!.node).to.equal(after);
  });

  it('follows the map in the background every mapRefreshMs', async () => {
    client = await connect({ seeds: cluster.seeds, mapRefreshMs: 5 });
    cluster.state.advanceEpoch(['n1', 'n2']);
    // Waits for the behaviour, asserts nothing about time (mocha's timeout is the bound).
    while (client.map().epoch < 2) await delay(5);
    expect(client.map().members.find((member) => member.id === 'n3')!.state).to.equal('down');
  });
});
