// Proves the core's contract with its driver: what depends on the disk (votes, requests for
// votes, acknowledgements) comes out only as messagesAfterPersist next to the write it depends
// on; a leader's appends may go at once; the core is deterministic for a given random seed;
// and a follower whose log diverged is repaired in a few round trips, not one per entry.
import { expect } from 'chai';
import {
  EMPTY_DURABLE_STATE,
  Raft,
  SeededRandom,
  type Entry,
  type Message,
  type RaftOptions,
} from '../../consensus/index.js';

const voters = { voters: [1, 2, 3], learners: [] };
const member = (id: number, seed = id, extra: Partial<RaftOptions> = {}): Raft =>
  new Raft({
    id,
    bootstrap: voters,
    durable: EMPTY_DURABLE_STATE,
    random: new SeededRandom(seed),
    ...extra,
  });

describe('the Ready contract', () => {
  it('puts a vote and the term it was cast in on disk before the answer may leave', () => {
    const voter = member(2);
    const ready = voter.step({
      type: 'receive',
      message: {
        type: 'vote',
        from: 1,
        to: 2,
        term: 1,
        lastIndex: 0,
        lastTerm: 0,
        transfer: false,
      },
    });
    expect(ready.persist.hardState).to.deep.include({ term: 1, vote: 1 });
    expect(ready.messages).to.have.length(0);
    expect(ready.messagesAfterPersist).to.deep.equal([
      { type: 'voteResponse', from: 2, to: 1, term: 1, granted: true },
    ]);
  });

  it('makes a candidate persist its new term and self-vote before asking for votes', () => {
    const candidate = member(1);
    const ready = candidate.step({ type: 'campaign' });
    expect(ready.persist.hardState).to.deep.include({ term: 1, vote: 1 });
    expect(ready.messages).to.have.length(0);
    expect(ready.messagesAfterPersist.map((m) => [m.type, m.to])).to.deep.equal([
      ['vote', 2],
      ['vote', 3],
    ]);
  });

  it('lets a leader send appends at once while its own write is pending', () => {
    const leader = member(1);
    leader.step({ type: 'campaign' });
    leader.step({ type: 'persisted', index: 0, term: 0, snapshotIndex: 0 });
    const won = leader.step({
      type: 'receive',
      message: { type: 'voteResponse', from: 2, to: 1, term: 1, granted: true },
    });
    expect(won.status.role).to.equal('leader');
    expect(won.persist.entries.map((e) => [e.index, e.term])).to.deep.equal([[1, 1]]);
    expect(won.messages.filter((m) => m.type === 'append').map((m) => m.to)).to.deep.equal([2, 3]);
    expect(won.committed).to.have.length(0); // not durable anywhere yet
  });

  it('acknowledges appended entries only after persisting them', () => {
    const follower = member(2);
    const entry: Entry = { index: 1, term: 1, type: 'normal', data: new Uint8Array([7]) };
    const ready = follower.step({
      type: 'receive',
      message: {
        type: 'append',
        from: 1,
        to: 2,
        term: 1,
        prevIndex: 0,
        prevTerm: 0,
        entries: [entry],
        commit: 0,
      },
    });
    expect(ready.persist.entries).to.deep.equal([entry]);
    expect(ready.messagesAfterPersist).to.have.length(1);
    expect(ready.messagesAfterPersist[0]).to.deep.include({
      type: 'appendResponse',
      success: true,
      matchIndex: 1,
    });
  });

  it('refuses a proposal on a follower with the leader it knows', () => {
    const follower = member(2);
    follower.step({
      type: 'receive',
      message: { type: 'heartbeat', from: 1, to: 2, term: 1, commit: 0, readRound: 0 },
    });
    const ready = follower.step({
      type: 'propose',
      proposal: { kind: 'command', data: new Uint8Array() },
    });
    expect(ready.outcome).to.deep.equal({ ok: false, reason: 'not_leader', leader: 1 });
  });

  it('replays identically from the same seed, and differs with another seed', () => {
    const timeouts = (seed: number): number[] => {
      const raft = member(1, seed, { preVote: false });
      const firings: number[] = [];
      for (let tick = 1; tick <= 200; tick += 1) {
        const ready = raft.step({ type: 'tick' });
        if (ready.messagesAfterPersist.length > 0) firings.push(tick);
      }
      return firings;
    };
    expect(timeouts(7)).to.deep.equal(timeouts(7));
    expect(timeouts(7)).to.not.deep.equal(timeouts(8));
    for (const [a, b] of pairs(timeouts(7))) {
      expect(b - a).to.be.within(10, 19); // randomized in [electionTimeout, 2·electionTimeout)
    }
  });
});

describe('fast backtracking', () => {
  it('repairs a follower with 30 conflicting entries in a handful of round trips', () => {
    // The follower holds 30 entries of term 1 that no one else has; the leader holds 30 of
    // term 2 after the shared first entry. One probe per entry would take 30 round trips.
    const shared: Entry = { index: 1, term: 1, type: 'normal', data: new Uint8Array() };
    const entries = (term: number): Entry[] => [
      shared,
      ...Array.from({ length: 30 }, (_, i) => ({
        index: i + 2,
        term,
        type: 'normal' as const,
        data: new Uint8Array(),
      })),
    ];
    const follower = new Raft({
      id: 2,
      bootstrap: voters,
      durable: {
        hardState: { term: 1, vote: 0, commit: 1 },
        snapshot: undefined,
        entries: entries(1),
      },
      random: new SeededRandom(2),
    });
    const leader = new Raft({
      id: 1,
      bootstrap: voters,
      durable: {
        hardState: { term: 2, vote: 1, commit: 1 },
        snapshot: undefined,
        entries: entries(2),
      },
      random: new SeededRandom(1),
    });
    leader.step({ type: 'campaign' });
    leader.step({ type: 'persisted', index: 31, term: 2, snapshotIndex: 0 });
    let inFlight: Message[] = [
      ...leader.step({
        type: 'receive',
        message: { type: 'voteResponse', from: 3, to: 1, term: 3, granted: true },
      }).messages,
    ];
    let roundTrips = 0;
    while (inFlight.some((m) => m.to === 2) && roundTrips < 40) {
      roundTrips += 1;
      const toFollower = inFlight.filter((m) => m.to === 2);
      inFlight = [];
      for (const message of toFollower) {
        const answer = follower.step({ type: 'receive', message });
        follower.step({
          type: 'persisted',
          index: answer.status.lastIndex,
          term: follower.termAt(answer.status.lastIndex) ?? 0,
          snapshotIndex: 0,
        });
        for (const reply of answer.messagesAfterPersist)
          inFlight.push(...leader.step({ type: 'receive', message: reply }).messages);
      }
      inFlight = inFlight.filter(
        (m) => m.type === 'append' && (m.entries.length > 0 || m.to === 2),
      );
      if (follower.termAt(32) === 3 && follower.status().commit === 32) break;
    }
    expect(follower.termAt(2)).to.equal(2);
    expect(follower.termAt(31)).to.equal(2);
    expect(follower.termAt(32)).to.equal(3); // the new leader's no-op
    expect(roundTrips).to.be.at.most(4);
  });
});

function pairs(values: number[]): [number, number][] {
  return values.slice(1).map((value, i) => [values[i] as number, value]);
}
