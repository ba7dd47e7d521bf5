// Proves the commit rule of the Raft paper's figure 8: an entry of an earlier term stored on a
// majority is not committed by counting replicas, and can still be overwritten; once the leader
// commits an entry of its own term, the earlier one is committed with it and no one can undo it.
import { expect } from 'chai';
import type { Message } from '../../consensus/index.js';
import { Cluster } from '../../simulations/cluster.js';
import { runScenario, type Step } from '../../simulations/scenario.js';

const fiveMembers = (): Cluster =>
  new Cluster({ seed: 8, voters: [1, 2, 3, 4, 5], autoTick: false, raft: { batchEntriesMax: 1 } });

/** Drops `from`'s appends that would store an entry of `term` on their receiver. */
const entriesOfTermStayOn =
  (cluster: Cluster, from: number, term: number) =>
  (message: Message): boolean =>
    message.from === from &&
    message.type === 'append' &&
    message.entries.some((entry) => entry.term === term) &&
    cluster.node(message.to).raft?.termAt(message.prevIndex) === message.prevTerm;

/** Figure 8 (a) and (b): S1 leads term 1 and gets index 2 to S2 only; S5 leads term 2 alone. */
const aAndB: Step[] = [
  { do: 'campaign', node: 1 },
  { expect: 'role', node: 1, role: 'leader', term: 1 },
  { expect: 'commit', node: 3, commit: 1 }, // the no-op reaches everyone, and its commit
  {
    do: 'partition',
    groups: [
      [1, 2],
      [3, 4, 5],
    ],
  },
  { do: 'put', node: 1, key: 'x', value: 'from-term-1' },
  { expect: 'entryTerm', node: 2, index: 2, term: 1 },
  { expect: 'entryTerm', node: 3, index: 2, term: undefined },
  { expect: 'commit', node: 1, commit: 1 },
  // (b) S1 crashes; S5 wins term 2 with the votes of S3 and S4, but its appends never arrive.
  { do: 'crash', node: 1 },
  { do: 'heal' },
  { do: 'drop', what: 'appends from S5', when: (m) => m.from === 5 && m.type === 'append' },
  { do: 'campaign', node: 5 },
  { expect: 'role', node: 5, role: 'leader', term: 2 },
  { do: 'put', node: 5, key: 'x', value: 'from-term-2' },
  { expect: 'entryTerm', node: 5, index: 3, term: 2 },
  { expect: 'entryTerm', node: 3, index: 2, term: undefined },
];

describe('figure 8: committing entries from previous terms', () => {
  it('does not commit an old-term entry stored on a majority, which a later leader may overwrite', () => {
    const cluster = fiveMembers();
    runScenario(cluster, [
      ...aAndB,
      // (c) S5 crashes; S1 restarts and wins term 3 (its first try at term 2 meets S3 and S4,
      // which already voted for S5 in term 2). It copies index 2 (term 1) to S3 and S4, but its
      // own no-op of term 3 lands nowhere else.
      { do: 'crash', node: 5 },
      { do: 'heal' },
      { do: 'restart', node: 1 },
      { do: 'drop', what: 'S1 term-3 entries', when: entriesOfTermStayOn(cluster, 1, 3) },
      { do: 'campaign', node: 1 },
      { expect: 'role', node: 1, role: 'candidate', term: 2 },
      { do: 'campaign', node: 1 },
      { expect: 'role', node: 1, role: 'leader', term: 3 },
      { expect: 'entryTerm', node: 3, index: 2, term: 1 }, // on all but S5, acknowledged by
      { expect: 'entryTerm', node: 4, index: 2, term: 1 }, // S3 and S4: S1 knows a majority
      { expect: 'entryTerm', node: 3, index: 3, term: undefined }, // holds it…
      { do: 'tick', ticks: 4, only: [1] },
      { expect: 'commit', node: 1, commit: 1 }, // …yet it is not committed: not of term 3
      // (d) S1 crashes; S5 restarts and wins term 4 with S2, S3 and S4, and overwrites index 2.
      { do: 'crash', node: 1 },
      { do: 'heal' },
      { do: 'restart', node: 5 },
      { do: 'campaign', node: 5 },
      { expect: 'role', node: 5, role: 'follower', term: 3 }, // S2, S3, S4 voted in term 3
      { do: 'campaign', node: 5 },
      { expect: 'role', node: 5, role: 'leader', term: 4 },
      { do: 'tick', ticks: 3 },
      { expect: 'entryTerm', node: 2, index: 2, term: 2 },
      { expect: 'entryTerm', node: 3, index: 2, term: 2 },
      { expect: 'value', node: 3, key: 'x', value: 'from-term-2' },
    ]);
    // The invariants ran after every step: nothing committed was ever overwritten.
    expect(cluster.invariants.committedAt(2)?.term).to.equal(2);
  });

  it('commits the old entry with one of the leader’s own term, after which it cannot be lost', () => {
    const cluster = fiveMembers();
    runScenario(cluster, [
      ...aAndB,
      // (e) S1 restarts, wins term 3, and gets its term-3 no-op to a majority before crashing.
      { do: 'crash', node: 5 },
      { do: 'heal' },
      { do: 'restart', node: 1 },
      { do: 'campaign', node: 1 },
      { do: 'campaign', node: 1 },
      { expect: 'role', node: 1, role: 'leader', term: 3 },
      { expect: 'commit', node: 1, commit: 3 }, // index 2 (term 1) and the no-op at 3
      { expect: 'value', node: 1, key: 'x', value: 'from-term-1' },
      // S5 cannot win any more: its log (last term 2) is behind the majority's (last term 3).
      { do: 'crash', node: 1 },
      { do: 'restart', node: 5 },
      { do: 'campaign', node: 5 },
      { do: 'campaign', node: 5 },
      { do: 'campaign', node: 5 },
      { expect: 'role', node: 5, role: 'follower', term: 5 }, // lost three elections
      { expect: 'entryTerm', node: 3, index: 2, term: 1 },
    ]);
    expect(cluster.invariants.committedAt(2)?.term).to.equal(1);
  });
});
