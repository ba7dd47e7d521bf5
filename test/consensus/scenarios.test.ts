// Proves, as step lists on a simulated group, the behaviours a Tessera node relies on: a
// partitioned leader is replaced and its unreplicated entries discarded, a follower that missed
// compacted entries catches up through InstallSnapshot chunks, a removed leader steps down, a
// flaky member cannot force endless elections, a leader with a stalled disk still commits, votes
// wait for the disk, leadership moves on request, reads are linearizable, and learners catch up
// before they may vote.
import { expect } from 'chai';
import type { NodeId } from '../../consensus/index.js';
import { Cluster, type ClusterOptions } from '../../simulations/cluster.js';
import { runScenario } from '../../simulations/scenario.js';

const group = (options: Partial<ClusterOptions> = {}): Cluster =>
  new Cluster({ seed: 42, voters: [1, 2, 3], autoTick: false, ...options });

/** The member that leads in the highest term, if any. */
const leaderId = (cluster: Cluster): NodeId | undefined => cluster.leader()?.id;

describe('scenario: a leader partitioned away while a new one is elected', () => {
  it('steps down, and its unreplicated entry is replaced by the new leader’s', () => {
    const cluster = group();
    let newLeader: NodeId = 0;
    runScenario(cluster, [
      { do: 'campaign', node: 1 },
      { do: 'put', node: 1, key: 'a', value: 'one' },
      { expect: 'value', node: 3, key: 'a', value: 'one' },
      { do: 'isolate', node: 1 },
      { do: 'put', node: 1, key: 'a', value: 'lost' }, // accepted at index 3, never replicated
      { expect: 'outcome', ok: true },
      { expect: 'entryTerm', node: 1, index: 3, term: 1 },
      { do: 'tick', ticks: 40 },
      // CheckQuorum: the old leader hears no majority and steps down; 2 or 3 leads term 2.
      {
        expect: 'that',
        what: '1 no longer leads, and PreVote kept its term at 1',
        holds: (c) =>
          c.node(1).raft?.status().role !== 'leader' && c.node(1).raft?.status().term === 1,
      },
      {
        expect: 'that',
        what: 'a new leader in term 2',
        holds: (c) => {
          newLeader = leaderId(c) ?? 0;
          return newLeader !== 1 && c.leader()?.raft?.status().term === 2;
        },
      },
    ]);
    runScenario(cluster, [
      { do: 'put', node: newLeader, key: 'a', value: 'two' },
      { expect: 'value', node: newLeader, key: 'a', value: 'two' },
      { do: 'heal' },
      { do: 'tick', ticks: 4 },
      { expect: 'leader', node: 1, leader: newLeader },
      { expect: 'entryTerm', node: 1, index: 3, term: 2 }, // the new leader's no-op replaced it
      { expect: 'value', node: 1, key: 'a', value: 'two' },
    ]);
  });
});

describe('scenario: a follower that comes back after the log was compacted', () => {
  it('catches up through an InstallSnapshot sent in several chunks, then through appends', () => {
    const cluster = group({ snapshotEvery: 5, raft: { snapshotChunkBytes: 16 } });
    let chunksTo3 = 0;
    cluster.onDeliver = (message) => {
      if (message.type === 'snapshot' && message.to === 3) chunksTo3 += 1;
    };
    runScenario(cluster, [
      { do: 'campaign', node: 1 },
      { do: 'crash', node: 3 },
      ...Array.from(
        { length: 12 },
        (_, i) => ({ do: 'put', node: 1, key: `k${i % 4}`, value: `v${i}` }) as const,
      ),
      {
        expect: 'that',
        what: 'the leader compacted its log past what 3 holds',
        holds: (c) => (c.node(1).raft?.firstIndex() ?? 0) > 5 && c.node(3).raft === undefined,
      },
      { do: 'restart', node: 3 },
      { do: 'tick', ticks: 6 },
      { expect: 'commit', node: 3, commit: 13 },
      { expect: 'value', node: 3, key: 'k3', value: 'v11' },
      { expect: 'value', node: 3, key: 'k0', value: 'v8' },
      { do: 'put', node: 1, key: 'k0', value: 'after' },
      { expect: 'value', node: 3, key: 'k0', value: 'after' },
    ]);
    expect(chunksTo3).to.be.greaterThan(1);
    expect(cluster.node(3).raft?.firstIndex()).to.be.greaterThan(1); // it holds a snapshot
  });
});

describe('scenario: removing the leader', () => {
  it('keeps leading until the removal commits, then steps down and never campaigns again', () => {
    const cluster = group();
    runScenario(cluster, [
      { do: 'campaign', node: 1 },
      { do: 'put', node: 1, key: 'a', value: 'before' },
      { do: 'config', node: 1, change: { kind: 'remove', node: 1 } },
      { expect: 'outcome', ok: true },
      { expect: 'voters', node: 2, voters: [2, 3] },
      { expect: 'role', node: 1, role: 'follower' },
      { do: 'tick', ticks: 40 },
      { expect: 'that', what: '2 or 3 leads', holds: (c) => [2, 3].includes(leaderId(c) ?? 0) },
      { expect: 'role', node: 1, role: 'follower' },
    ]);
    const leader = leaderId(cluster) ?? 0;
    runScenario(cluster, [
      { do: 'put', node: leader, key: 'a', value: 'after' },
      { expect: 'value', node: leader === 2 ? 3 : 2, key: 'a', value: 'after' },
      { do: 'tick', ticks: 60 },
      { expect: 'role', node: 1, role: 'follower' }, // not a voter: it never campaigns
      { expect: 'leader', node: 2, leader },
    ]);
  });
});

describe('scenario: a flaky follower', () => {
  const flaky = (preVote: boolean): Cluster => {
    const cluster = group({ raft: { preVote, checkQuorum: preVote } });
    runScenario(cluster, [
      { do: 'campaign', node: 1 },
      { expect: 'role', node: 1, role: 'leader', term: 1 },
    ]);
    for (let round = 0; round < 5; round += 1) {
      runScenario(cluster, [
        { do: 'isolate', node: 3 },
        { do: 'tick', ticks: 30 },
        { do: 'heal' },
        { do: 'tick', ticks: 5 },
      ]);
    }
    return cluster;
  };

  it('with PreVote and CheckQuorum, does not raise its term nor unseat the leader', () => {
    const cluster = flaky(true);
    runScenario(cluster, [
      { expect: 'role', node: 1, role: 'leader', term: 1 },
      { expect: 'term', node: 3, term: 1 },
      { expect: 'leader', node: 3, leader: 1 },
    ]);
  });

  it('without them, forces an election every time it comes back (why they are on)', () => {
    const cluster = flaky(false);
    expect(cluster.node(3).raft?.status().term).to.be.greaterThan(5);
    expect(cluster.node(1).raft?.status().term).to.be.greaterThan(5); // the leader was unseated
  });
});

describe('scenario: a leader whose disk stalls', () => {
  it('still commits through its followers, and commits nothing without a durable majority', () => {
    const cluster = group();
    runScenario(cluster, [
      { do: 'campaign', node: 1 },
      { do: 'stallDisk', node: 1, stalled: true },
      { do: 'put', node: 1, key: 'a', value: 'x' },
      { expect: 'commit', node: 1, commit: 2 }, // durable on 2 and 3: a majority
      { expect: 'value', node: 1, key: 'a', value: 'x' },
      { do: 'stallDisk', node: 2, stalled: true },
      { do: 'put', node: 1, key: 'a', value: 'y' },
      { expect: 'commit', node: 1, commit: 2 }, // durable on 3 alone
      { expect: 'value', node: 3, key: 'a', value: 'x' },
      { do: 'tick', ticks: 5 },
      { expect: 'role', node: 1, role: 'leader', term: 1 }, // heartbeats go on: no election
      { do: 'stallDisk', node: 2, stalled: false },
      { expect: 'commit', node: 1, commit: 3 },
      { do: 'stallDisk', node: 1, stalled: false },
      { do: 'tick', ticks: 2 },
      { expect: 'value', node: 2, key: 'a', value: 'y' },
    ]);
  });

  it('crashing before the sync loses the leader’s unsynced entries but no committed one', () => {
    const cluster = group();
    runScenario(cluster, [
      { do: 'campaign', node: 1 },
      { do: 'stallDisk', node: 1, stalled: true },
      { do: 'put', node: 1, key: 'a', value: 'x' },
      { expect: 'commit', node: 2, commit: 2 },
      { do: 'crash', node: 1 },
      { do: 'restart', node: 1 },
      { do: 'tick', ticks: 40 },
      { expect: 'value', node: 1, key: 'a', value: 'x' },
    ]);
  });
});

describe('scenario: votes wait for the disk', () => {
  it('a vote is not counted before the voter has made it durable', () => {
    const cluster = group();
    runScenario(cluster, [
      { do: 'stallDisk', node: 2, stalled: true },
      { do: 'stallDisk', node: 3, stalled: true },
      { do: 'campaign', node: 1 },
      { expect: 'role', node: 1, role: 'candidate', term: 1 }, // both votes are on hold
      { expect: 'term', node: 2, term: 1 },
      { do: 'stallDisk', node: 2, stalled: false },
      { expect: 'role', node: 1, role: 'leader', term: 1 },
    ]);
  });
});

describe('scenario: leadership transfer', () => {
  it('hands leadership to a caught-up voter, which wins at once', () => {
    const cluster = group();
    runScenario(cluster, [
      { do: 'campaign', node: 1 },
      { do: 'put', node: 1, key: 'a', value: 'x' },
      { do: 'transfer', node: 1, to: 3 },
      { expect: 'outcome', ok: true },
      { expect: 'role', node: 3, role: 'leader', term: 2 },
      { expect: 'leader', node: 1, leader: 3 },
      { do: 'put', node: 3, key: 'a', value: 'y' },
      { expect: 'value', node: 1, key: 'a', value: 'y' },
    ]);
  });
});

describe('scenario: ReadIndex reads', () => {
  it('answer after a heartbeat round, and a deposed leader answers none', () => {
    const cluster = group();
    const answers: (string | null)[] = [];
    runScenario(cluster, [
      { do: 'campaign', node: 1 },
      { do: 'put', node: 1, key: 'a', value: 'x' },
    ]);
    cluster.node(1).read('a', (value) => answers.push(value));
    expect(answers).to.deep.equal([]); // not before a majority confirms the leadership
    cluster.settle();
    expect(answers).to.deep.equal(['x']);
    runScenario(cluster, [{ do: 'isolate', node: 1 }]);
    cluster.node(1).read('a', (value) => answers.push(value));
    runScenario(cluster, [{ do: 'tick', ticks: 40 }]);
    expect(answers).to.deep.equal(['x']); // the cut-off leader never confirms it
    const newLeader = cluster.leader();
    expect(newLeader?.id).to.be.oneOf([2, 3]);
    newLeader?.read('a', (value) => answers.push(value));
    cluster.settle();
    expect(answers).to.deep.equal(['x', 'x']);
    const follower = cluster.node(newLeader?.id === 2 ? 3 : 2);
    expect(follower.read('a', () => {})).to.deep.include({ ok: false, reason: 'not_leader' });
  });
});

describe('scenario: learners', () => {
  it('a new member catches up as a learner, may be promoted only then, and then votes', () => {
    const cluster = group({ spares: [4], snapshotEvery: 4, raft: { learnerLagMax: 2 } });
    runScenario(cluster, [
      { do: 'campaign', node: 1 },
      ...Array.from(
        { length: 8 },
        (_, i) => ({ do: 'put', node: 1, key: 'k', value: `v${i}` }) as const,
      ),
      { do: 'config', node: 1, change: { kind: 'promote', node: 4 } },
      { expect: 'outcome', ok: false, reason: 'not_a_learner' },
      { do: 'isolate', node: 4 },
      { do: 'config', node: 1, change: { kind: 'addLearner', node: 4 } },
      { expect: 'outcome', ok: true },
      { do: 'config', node: 1, change: { kind: 'promote', node: 4 } },
      { expect: 'outcome', ok: false, reason: 'learner_behind' },
      { do: 'heal' },
      { do: 'tick', ticks: 4 },
      { expect: 'value', node: 4, key: 'k', value: 'v7' },
      { expect: 'role', node: 4, role: 'follower' },
      { do: 'config', node: 1, change: { kind: 'promote', node: 4 } },
      { expect: 'outcome', ok: true },
      { expect: 'voters', node: 4, voters: [1, 2, 3, 4] },
      { do: 'crash', node: 2 },
      { do: 'crash', node: 3 },
      { do: 'put', node: 1, key: 'k', value: 'needs 4' }, // 1 and 4 are not a majority of four
      { expect: 'value', node: 1, key: 'k', value: 'v7' },
      { do: 'restart', node: 2 },
      { do: 'tick', ticks: 3 },
      { expect: 'value', node: 4, key: 'k', value: 'needs 4' },
    ]);
  });
});
