// Proves the leader's read lease (consensus/read-lease.ts): a leader answers reads without a round
// while its lease holds, and never while another member could already lead. The safety is shown
// on the simulated group with the followers' timers as fast as the lease allows for: whenever a
// newer leader exists, the old leader's lease has run out, whether the old leader was cut off,
// paused, or lost a majority member to a quick restart.
import { expect } from 'chai';
import { leaseDurationMs, ReadLease } from '../../consensus/read-lease.js';
import { Cluster, type KvNode } from '../../simulations/cluster.js';

const TICK_MS = 10;
const LEASE_MS = leaseDurationMs({ tickMs: TICK_MS, electionTimeoutTicks: 10 });

describe('consensus: the read lease', () => {
  it('lasts (election timeout - 1 tick) / (1 + clock rate error), from when the round was sent', () => {
    expect(leaseDurationMs({ tickMs: 100, electionTimeoutTicks: 10 })).to.equal(720);
    expect(
      leaseDurationMs({ tickMs: 100, electionTimeoutTicks: 10, clockRateErrorMax: 0 }),
    ).to.equal(900);
    const lease = new ReadLease(100);
    expect(lease.holds(0, 1)).to.equal(false);
    lease.extend(10, 1);
    expect([lease.holds(109, 1), lease.holds(110, 1), lease.holds(50, 2)]).to.deep.equal([
      true,
      false,
      false,
    ]);
    lease.extend(5, 1); // an older round never shortens it
    expect(lease.remainingMs(60)).to.equal(50);
    lease.extend(40, 2); // a new term starts afresh
    expect([lease.holds(60, 1), lease.holds(60, 2)]).to.deep.equal([false, true]);
    lease.end();
    expect(lease.holds(60, 2)).to.equal(false);
    expect(new ReadLease(0).holds(0, 0)).to.equal(false);
  });

  /** Five members with leases, followers' timers 15 % fast; a leader elected, a lease taken. */
  function leasedGroup(seed: number): { cluster: Cluster; leader: KvNode } {
    const cluster = new Cluster({
      seed,
      voters: [1, 2, 3, 4, 5],
      raft: { electionTimeoutTicks: 10, heartbeatTicks: 2 },
      tickMs: TICK_MS,
      latencyMs: [1, 3],
      leaseMs: LEASE_MS,
    });
    expect(cluster.runUntil(() => cluster.leader() !== undefined, 5_000)).to.equal(true);
    const leader = cluster.leader()!;
    for (const node of cluster.nodes.values())
      if (node.id !== leader.id) cluster.setTickInterval(node.id, TICK_MS / 1.15);
    // The first read has a round, once the leader has committed an entry of its term.
    let read = false;
    for (let tries = 0; leader.read('a', () => (read = true))?.ok !== true; tries++) {
      expect(tries).to.be.below(100);
      cluster.runFor(TICK_MS);
    }
    expect(cluster.runUntil(() => read, 1_000)).to.equal(true);
    expect(leader.leaseHolds()).to.equal(true);
    return { cluster, leader };
  }

  /** Runs until a member leads in a newer term; at every step the old lease must not hold then. */
  function watchSuccession(cluster: Cluster, old: KvNode): void {
    const term = old.raft!.status().term;
    const newer = (): boolean =>
      [...cluster.nodes.values()].some(
        (node) => node.raft?.status().role === 'leader' && node.raft.status().term > term,
      );
    let steps = 0;
    while (!newer()) {
      expect(cluster.scheduler.runNext(cluster.scheduler.nowMs + 10_000)).to.equal(true);
      if (++steps > 1_000_000) throw new Error('no new leader');
    }
    expect(old.leaseHolds(), 'the old leader still holds its lease under a new leader').to.equal(
      false,
    );
  }

  it('answers reads under the lease with no round of heartbeats', () => {
    const { cluster, leader } = leasedGroup(1);
    const rounds = leader.readCounts.rounds;
    const values: (string | null)[] = [];
    leader.read('a', (value) => values.push(value));
    leader.read('a', (value) => values.push(value));
    cluster.runUntil(() => values.length === 2, 100);
    expect(values).to.deep.equal([null, null]);
    expect(leader.readCounts.leased).to.equal(2);
    expect(leader.readCounts.rounds - rounds, 'rounds beyond renewals').to.be.at.most(1);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`a leader cut off from everyone: its lease is over before another member leads (seed ${seed})`, () => {
      const { cluster, leader } = leasedGroup(seed);
      cluster.isolate(leader.id);
      watchSuccession(cluster, leader);
    });

    it(`a leader paused mid-lease: over before another member leads (seed ${seed})`, () => {
      const { cluster, leader } = leasedGroup(seed);
      cluster.pause(leader.id, 2_000);
      watchSuccession(cluster, leader);
    });

    it(`a majority member restarted at once, the leader cut off: still over in time (seed ${seed})`, () => {
      const { cluster, leader } = leasedGroup(seed);
      const follower = [...cluster.nodes.keys()].find((id) => id !== leader.id)!;
      cluster.crash(follower);
      cluster.restart(follower);
      cluster.setTickInterval(follower, TICK_MS / 1.15);
      cluster.isolate(leader.id);
      watchSuccession(cluster, leader);
    });

    it(`two members the leader cannot reach campaign, a majority member restarts: over in time (seed ${seed})`, () => {
      // The lease's majority is the leader and two members; the other two, cut off from the
      // leader, campaign over and over. One member of the majority crashes and comes back at once:
      // it must not give them the third vote while the lease holds (raft.ts, quietTicks).
      const { cluster, leader } = leasedGroup(seed);
      const others = [...cluster.nodes.keys()].filter((id) => id !== leader.id);
      const majority = others.slice(0, 2);
      for (const id of others.slice(2)) {
        cluster.blockLink(leader.id, id);
        cluster.blockLink(id, leader.id);
      }
      // The lease runs out; the next read's round is answered by the leader and the majority only.
      cluster.runFor(LEASE_MS);
      let read = false;
      expect(leader.read('a', () => (read = true))?.ok).to.equal(true);
      expect(cluster.runUntil(() => read, 1_000)).to.equal(true);
      expect(leader.leaseHolds()).to.equal(true);
      cluster.crash(majority[0]!);
      cluster.restart(majority[0]!);
      cluster.setTickInterval(majority[0]!, TICK_MS / 1.15);
      cluster.isolate(leader.id);
      watchSuccession(cluster, leader);
    });
  }
});
