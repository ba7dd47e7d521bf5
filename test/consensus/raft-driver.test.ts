// Proves the real driver end to end: it holds votes and acknowledgements until the log has them
// on disk; a three-member group in one process, each member on its own segment log, commits
// concurrent proposals with their machine results; and members restarted from their
// directories come back with every entry they acknowledged.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  KvMachine,
  SeededRandom,
  encodeKvCommand,
  type Message,
  type Persist,
} from '../../consensus/index.js';
import { LocalGroup } from '../../node/raft/local-group.js';
import { NotLeaderError, RaftDriver } from '../../node/raft/raft-driver.js';
import { SegmentLog } from '../../node/raft/segment-log.js';

describe('the Raft driver on real disks', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-raft-driver-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sends a vote and an acknowledgement only once the log has made them durable', async () => {
    const log = await SegmentLog.open(join(dir, 'member-2'));
    // Each append is held after it reached the disk, until the test releases it. The test waits
    // for the hold itself, not for a fixed time: a slow fsync on a loaded machine must not let a
    // release go to the previous append's gate.
    const holds: (() => void)[] = [];
    let held: () => void = () => {};
    const append = log.append.bind(log);
    log.append = (persist: Persist) =>
      append(persist).then(
        () =>
          new Promise<void>((resolve) => {
            holds.push(resolve);
            held();
          }),
      );
    const nextHold = (count: number): Promise<void> =>
      holds.length >= count ? Promise.resolve() : new Promise((resolve) => (held = resolve));
    const sent: Message[] = [];
    const driver = new RaftDriver({
      raft: { id: 2, bootstrap: { voters: [1, 2, 3], learners: [] }, random: new SeededRandom(2) },
      log,
      machine: new KvMachine(),
      send: (message) => sent.push(message),
    });
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));
    const sentAtLeast = async (count: number): Promise<void> => {
      while (sent.length < count) await settle();
    };
    driver.receive({
      type: 'vote',
      from: 1,
      to: 2,
      term: 1,
      lastIndex: 0,
      lastTerm: 0,
      transfer: false,
    });
    await nextHold(1);
    await settle();
    expect(sent).to.deep.equal([]); // the vote is on disk, not yet released
    holds[0]!();
    await sentAtLeast(1);
    expect(sent).to.deep.equal([{ type: 'voteResponse', from: 2, to: 1, term: 1, granted: true }]);
    const entry = { index: 1, term: 1, type: 'normal' as const, data: new Uint8Array([1]) };
    driver.receive({
      type: 'append',
      from: 1,
      to: 2,
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      entries: [entry],
      commit: 0,
    });
    await nextHold(2);
    await settle();
    expect(sent).to.have.length(1);
    holds[1]!();
    await sentAtLeast(2);
    expect(sent[1]).to.deep.include({ type: 'appendResponse', success: true, matchIndex: 1 });
    await log.close();
  });

  it('commits concurrent proposals in a three-member group and keeps them across a restart', async () => {
    const group = await LocalGroup.start({ dir, members: 3 });
    try {
      await group.elect(1);
      const leader = group.driver(1);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          leader.propose(
            encodeKvCommand({ op: 'cas', key: `k${i % 10}`, expect: null, value: `v${i}` }),
          ),
        ),
      );
      // The first cas on each key finds it absent; the nine after it do not.
      expect(results.filter((r) => r.result?.op === 'cas' && r.result.ok)).to.have.length(10);
      expect(new Set(results.map((r) => r.index)).size).to.equal(100);
      const error = await group
        .driver(2)
        .propose(encodeKvCommand({ op: 'put', key: 'a', value: 'b' }))
        .catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(NotLeaderError);
      expect(error).to.have.property('leader', 1);
      // Heartbeats carry the commit index to every member.
      while ([1, 2, 3].some((id) => group.driver(id).status().applied < 101)) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await group.stop();
    }
    for (const id of [1, 2, 3]) {
      const log = await SegmentLog.open(join(dir, `member-${id}`));
      expect(log.state.entries.length, `member ${id}`).to.be.at.least(101); // no-op + 100
      expect(log.state.hardState.term).to.equal(1);
      await log.close();
    }
  });

  it('answers a ReadIndex read on the leader after every write committed before it, and refuses it elsewhere', async () => {
    const group = await LocalGroup.start({ dir, members: 3 });
    try {
      await group.elect(1);
      const leader = group.driver(1);
      const writes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          leader.propose(encodeKvCommand({ op: 'put', key: `k${i}`, value: `v${i}` })),
        ),
      );
      const lastWrite = Math.max(...writes.map((write) => write.index));
      const index = await leader.readIndex();
      expect(index).to.be.at.least(lastWrite);
      expect(leader.status().applied).to.be.at.least(index);
      const refused = await group
        .driver(2)
        .readIndex()
        .catch((caught: unknown) => caught);
      expect(refused).to.be.instanceOf(NotLeaderError);
      expect(refused).to.have.property('leader', 1);
      // Many reads at once are confirmed together.
      const indexes = await Promise.all(Array.from({ length: 10 }, () => leader.readIndex()));
      expect(indexes.every((read) => read >= lastWrite)).to.equal(true);
    } finally {
      await group.stop();
    }
  });

  it('answers reads under the leader lease without a round, only while the lease holds on its clock', async () => {
    let now = 1_000;
    const group = await LocalGroup.start({
      dir,
      members: 3,
      lease: { nowMs: () => now, durationMs: 500 },
    });
    try {
      await group.elect(1);
      const leader = group.driver(1);
      const first = await leader.propose(encodeKvCommand({ op: 'put', key: 'a', value: '1' }));
      expect(await leader.readIndex()).to.be.at.least(first.index);
      expect(leader.reads).to.deep.equal({ leased: 0, rounds: 1 });
      // Inside the lease: answered at the commit index, every committed write included, no round.
      const second = await leader.propose(encodeKvCommand({ op: 'put', key: 'a', value: '2' }));
      now += 100;
      expect(await leader.readIndex()).to.be.at.least(second.index);
      expect(leader.reads).to.deep.equal({ leased: 1, rounds: 1 });
      // Past half of it, a read is still answered and a round renews it in the background.
      now += 200;
      await leader.readIndex();
      expect(leader.reads).to.deep.equal({ leased: 2, rounds: 2 });
      // Past its end (on the clock, whatever the ticks): a round again.
      now += 10_000;
      await leader.readIndex();
      expect(leader.reads.rounds).to.equal(3);
      expect(leader.reads.leased).to.equal(2);
      // A follower has no lease.
      expect(
        await group
          .driver(2)
          .readIndex()
          .catch((caught: unknown) => caught),
      ).to.be.instanceOf(NotLeaderError);
    } finally {
      await group.stop();
    }
  });
});
