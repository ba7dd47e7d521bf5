// Proves the journal's contract, step by step against fake CMs that hold their replies: never more
// than inflightMax events unacknowledged (append waits for room), acknowledgements in sequence
// order, no event overtaking an earlier one on the same stripe, and after the connection is cut it
// resumes from the first unacknowledged event with the same sequences as retries, applied once.
import { once } from 'node:events';
import { setImmediate as tick } from 'node:timers/promises';
import { expect } from 'chai';
import {
  connect,
  GrpcTransport,
  NotFoundError,
  type Cluster,
  type Journal,
  type JournalAck,
  type Volume,
} from '../../client/index.js';
import { startFakeCluster, volumeRecord, type FakeCluster } from './fake-cluster.js';

const BLOCK = 4096;
const STRIPE = 2 * BLOCK;

describe('client: the journal', () => {
  let cluster: FakeCluster;
  let client: Cluster;
  let volume: Volume;

  beforeEach(async () => {
    cluster = await startFakeCluster(3, [volumeRecord('log', 2, 1, BLOCK)]);
    client = await connect({
      seeds: cluster.seeds,
      mapRefreshMs: 3_600_000,
      retry: { attemptsMax: 2, backoffMsMin: 1, backoffMsMax: 5 },
      transport: new GrpcTransport({ reconnectBackoffMsMax: 50 }),
    });
    volume = await client.openVolume('log');
  });
  afterEach(async () => {
    await client.close();
    await cluster.stop();
  });

  const recordAcks = (journal: Journal): JournalAck[] => {
    const acks: JournalAck[] = [];
    journal.on('ack', (ack) => acks.push(ack));
    return acks;
  };
  const event = (stripe: number, text: string): [number, Buffer] => [
    stripe * STRIPE + 7,
    Buffer.from(text),
  ];

  it('back-pressure: append waits while inflightMax events are unacknowledged', async () => {
    const journal = volume.journal({ inflightMax: 3 });
    const acks = recordAcks(journal);
    cluster.state.holding = true;

    // Step 1: three events on three stripes are admitted at once and all reach their CMs.
    const seqs = [await journal.append(...event(0, 'a')), await journal.append(...event(1, 'b'))];
    seqs.push(await journal.append(...event(2, 'c')));
    await cluster.state.until(() => cluster.state.held.length === 3);
    // Step 2: a fourth waits: nothing can be acknowledged while the CMs hold their replies.
    let fourthAdmitted = false;
    const fourth = journal.append(...event(3, 'd')).then((seq) => {
      fourthAdmitted = true;
      return seq;
    });
    await tick();
    expect(fourthAdmitted).to.equal(false);
    expect(journal.inflight).to.equal(3);
    expect(cluster.state.writes()).to.have.length(3);
    // Step 3: the first is acknowledged: the fourth gets its room and its sequence.
    cluster.state.held[0]!.release();
    expect(await fourth).to.equal(seqs[2]! + 1);
    cluster.state.releaseAll();
    await journal.flush();
    expect(acks.map((ack) => ack.seq)).to.deep.equal([...seqs, seqs[2]! + 1]);
    expect(cluster.state.inflightMax).to.be.at.most(3);
  });

  it('acknowledges in order and never sends an event ahead of an earlier one on its stripe', async () => {
    const journal = volume.journal({ inflightMax: 8 });
    const acks = recordAcks(journal);
    cluster.state.holding = true;
    const e1 = await journal.append(...event(0, 'first'));
    const e2 = await journal.append(...event(1, 'second'));
    const e3 = await journal.append(...event(2, 'old bytes'));
    const e4 = await journal.append(...event(2, 'new bytes')); // the same bytes as e3

    // Step 1: e1, e2, e3 are at their CMs; e4 waits behind e3, unsent.
    await cluster.state.until(() => cluster.state.held.length === 3);
    const sent = () => cluster.state.writes().map((call) => call.writerSeq);
    expect(sent()).to.have.members([e1, e2, e3]);
    // Step 2: e3 lands, so e4 goes; still no ack, e1 is not acknowledged yet.
    cluster.state.held.find((reply) => reply.record.writerSeq === e3)!.release();
    await cluster.state.until(() => sent().includes(e4));
    expect(acks).to.deep.equal([]);
    // Step 3: the rest land, e1 last; the acks come in sequence order.
    await cluster.state.until(() => cluster.state.held.length === 4);
    for (const seq of [e4, e2, e1])
      cluster.state.held.find((reply) => reply.record.writerSeq === seq)!.release();
    await journal.flush();
    expect(acks.map((ack) => ack.seq)).to.deep.equal([e1, e2, e3, e4]);
    expect((await volume.read(2 * STRIPE + 7, 9)).toString()).to.equal('new bytes');
  });

  it('resumes after a disconnect from the first unacknowledged event, same sequences as retries', async () => {
    const journal = volume.journal({ inflightMax: 8, resumeAttemptsMax: 10_000 });
    const acks = recordAcks(journal);
    const resumedFrom: (number | null)[] = [];
    journal.on('resumed', (seq) => resumedFrom.push(seq));
    cluster.state.holding = true;

    // Step 1: five events (one spans stripes 3 and 4) are applied; their answers are held.
    const seqs: number[] = [];
    for (const stripe of [0, 1, 2]) seqs.push(await journal.append(...event(stripe, `s${stripe}`)));
    seqs.push(await journal.append(4 * STRIPE - 3, Buffer.from('across')));
    seqs.push(await journal.append(...event(5, 's5')));
    await cluster.state.until(() => cluster.state.held.length === 6);
    // Step 2: every node goes away: the answers are lost, the journal is interrupted.
    const interrupted = once(journal, 'interrupted');
    for (const node of cluster.nodes) cluster.kill(node);
    await interrupted;
    cluster.state.releaseAll();
    // Step 3: the nodes come back; the journal resends and every event is acknowledged, in order.
    for (const node of cluster.nodes) await cluster.restart(node);
    await journal.flush();

    expect(acks.map((ack) => ack.seq)).to.deep.equal(seqs);
    expect(resumedFrom[0]).to.equal(seqs[0]);
    for (const entry of cluster.state.applied.values()) expect(entry.times).to.equal(1);
    expect(cluster.state.applied.size).to.equal(6);
    const resent = cluster.state.writes().filter((call) => call.outcome === 'repeated');
    expect(resent.map((call) => call.writerSeq).sort((a, b) => a - b)).to.deep.equal(
      [...seqs.slice(0, 4), seqs[3]!, seqs[4]!].sort((a, b) => a - b),
    );
    expect(resent.every((call) => call.retry)).to.equal(true);
    expect((await volume.read(4 * STRIPE - 3, 6)).toString()).to.equal('across');
  });

  it('many events through a small window: all acknowledged in order, never more in flight', async () => {
    const journal = volume.journal({ inflightMax: 4 });
    const acks = recordAcks(journal);
    const seqs: number[] = [];
    for (let at = 0; at < 60; at++)
      seqs.push(await journal.append(at * 1000, Buffer.from(`event ${at}`)));
    await journal.close();
    expect(acks.map((ack) => ack.seq)).to.deep.equal(seqs);
    expect(cluster.state.inflightMax).to.be.at.most(4);
    expect((await volume.read(59_000, 8)).toString()).to.equal('event 59');
    const closed = await journal.append(0, Buffer.from('late')).catch((error: unknown) => error);
    expect(closed).to.have.property('code', 'CLOSED');
  });

  it('fails on an error retrying cannot fix, and lists what is unacknowledged', async () => {
    const journal = volume.journal();
    const failed = once(journal, 'failed');
    cluster.state.map = { ...cluster.state.map, volumes: [] }; // the volume was deleted
    const seq = await journal.append(0, Buffer.from('orphan'));
    const [error] = (await failed) as [Error];
    expect(error).to.be.instanceOf(NotFoundError);
    const flushed = await journal.flush().catch((caught: unknown) => caught);
    expect(flushed).to.equal(error);
    expect(journal.unacknowledged().map((entry) => entry.seq)).to.deep.equal([seq]);
    const appended = await journal
      .append(0, Buffer.from('more'))
      .catch((caught: unknown) => caught);
    expect(appended).to.equal(error);
  });
});
