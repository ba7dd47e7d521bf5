// Proves the consistency check decides as DESIGN.md says, on the states the simulator reached:
// the data roll forward when all are current; the newest parity partition with k members wins
// and a data version ahead of it is rolled back; a newer partition with fewer than k members is
// passed over only when a fragment it must have reached shows, unmarked, that it never got it.
import { expect } from 'chai';
import { checkStripe, type FragmentView } from '../../node/cm/stripe-check.js';
import { sameVersion, type Version } from '../../node/store/version.js';

const v = (epoch: number, seq: number): Version => ({ epoch, seq });
const data = (index: number, version: Version): FragmentView => ({ index, read: true, version });
const parity = (index: number, version: Version, registry: Version[]): FragmentView => ({
  index,
  read: true,
  version,
  registry,
});
const unread = (index: number): FragmentView => ({ index, read: false });

describe('cm: the consistency check of a stripe', () => {
  it('rolls forward from the data when every data fragment is read and current', () => {
    const decision = checkStripe({
      k: 2,
      m: 2,
      marks: new Map(),
      fragments: [
        data(0, v(3, 5)),
        data(1, v(3, 2)),
        parity(2, v(3, 4), [v(3, 4), v(3, 2), v(3, 4), v(3, 4)]),
        unread(3),
      ],
    });
    expect(decision).to.deep.include({ kind: 'settled', from: 'data', rewrite: [2], unread: [3] });
  });

  it('settles on the newest partition with k members and rolls back a data version ahead of it', () => {
    const registry = [v(3, 4), v(3, 2), v(3, 4), v(3, 4)];
    const decision = checkStripe({
      k: 2,
      m: 2,
      marks: new Map(),
      fragments: [
        data(0, v(3, 5)),
        unread(1),
        parity(2, v(3, 4), registry),
        parity(3, v(3, 4), registry),
      ],
    });
    expect(decision).to.deep.include({
      kind: 'settled',
      from: 'partition',
      rolledBack: [0],
      members: [2, 3],
    });
  });

  it('settles from the data when the only usable parity carries an update of every data fragment that was never acknowledged', () => {
    // Seed 480 (after updates began to carry several writes): 7.10 wrote both data fragments and
    // reached parity 2 alone; parity 3 is marked at 7.9, which it missed. No partition has k
    // members and no older parity is usable, but the data are all read and current without 7.10.
    const input = (dataOne: Version, named: Version) => ({
      k: 2,
      m: 2,
      marks: new Map([[3, v(7, 9)]]),
      fragments: [
        data(0, v(7, 9)),
        data(1, dataOne),
        parity(2, v(7, 10), [v(7, 10), named, v(7, 10), v(7, 10)]),
        parity(3, v(7, 8), [v(7, 8), v(7, 8), v(7, 8), v(7, 8)]),
      ],
    });
    expect(checkStripe(input(v(7, 8), v(7, 10)))).to.deep.include({
      kind: 'settled',
      from: 'data',
      dataVersions: [v(7, 9), v(7, 8)],
      rewrite: [2, 3],
      disproved: [
        { index: 0, version: v(7, 10) },
        { index: 1, version: v(7, 10) },
      ],
    });
    // What the set-aside registry names besides the disproved version still counts: data
    // fragment 1 below it is stale, so the stripe waits rather than lose that version.
    const waits = checkStripe(input(v(7, 7), v(7, 8)));
    expect(waits.kind).to.equal('wait');
  });

  it('settles from the data when the parity left after a disproved update of every data fragment may have missed the updates the data hold', () => {
    // Seed 1622 of the 10,000: 7.6 wrote both data fragments and reached parity 2 alone; parity
    // 3's node was down for 7.2 to 7.5 (no marks: its node's mark covers it) and is at 7.1. Its
    // partition of one member proves nothing against the data, which hold 7.5.
    const input = (dataZero: Version, unsure: number[]) => ({
      k: 2,
      m: 2,
      marks: new Map<number, Version>(),
      unsure: new Set(unsure),
      writeQuorum: 3,
      fragments: [
        data(0, dataZero),
        data(1, v(7, 5)),
        parity(2, v(7, 6), [v(7, 6), v(7, 6), v(7, 6), v(7, 6)]),
        parity(3, v(7, 1), [v(7, 1), v(7, 1), v(7, 1), v(7, 1)]),
      ],
    });
    expect(checkStripe(input(v(7, 5), [3]))).to.deep.include({
      kind: 'settled',
      from: 'data',
      dataVersions: [v(7, 5), v(7, 5)],
      rewrite: [2, 3],
      disproved: [
        { index: 0, version: v(7, 6) },
        { index: 1, version: v(7, 6) },
      ],
    });
    // That parity still names what it saw: data fragment 0 below it (and itself on a node that
    // was down, so no evidence that 7.1 was never acknowledged) makes the stripe wait.
    expect(checkStripe(input(v(6, 9), [0, 3])).kind).to.equal('wait');
  });

  it('passes over a parity version that an unmarked, older parity shows was never acknowledged', () => {
    // Seed 49: an update reached one parity only; the other parity holds the version before it.
    const decision = checkStripe({
      k: 2,
      m: 2,
      marks: new Map([[1, v(9, 5)]]),
      fragments: [
        data(0, v(9, 6)),
        data(1, v(0, 0)),
        parity(2, v(9, 6), [v(9, 6), v(9, 5), v(9, 6), v(9, 6)]),
        parity(3, v(9, 7), [v(9, 7), v(9, 5), v(9, 7), v(9, 7)]),
      ],
    });
    expect(decision).to.deep.include({
      kind: 'settled',
      from: 'partition',
      members: [0, 2],
      disproved: [{ index: 0, version: v(9, 7) }],
    });
  });

  it('waits when the fragments that could disprove the newest partition were not read, or carry its mark', () => {
    const newer = [v(9, 7), v(9, 5), v(9, 7), v(9, 7)];
    const older = [v(9, 6), v(9, 5), v(9, 6), v(9, 6)];
    const unreadOlder = checkStripe({
      k: 2,
      m: 2,
      marks: new Map([[1, v(9, 5)]]),
      fragments: [unread(0), data(1, v(0, 0)), unread(2), parity(3, v(9, 7), newer)],
    });
    expect(unreadOlder.kind).to.equal('wait');
    const marked = checkStripe({
      k: 2,
      m: 2,
      marks: new Map([
        [1, v(9, 5)],
        [2, v(9, 7)],
        [0, v(9, 7)],
      ]),
      fragments: [
        data(0, v(9, 6)),
        data(1, v(0, 0)),
        parity(2, v(9, 6), older),
        parity(3, v(9, 7), newer),
      ],
    });
    expect(marked.kind).to.equal('wait');
  });

  it('takes no evidence from a fragment that may have missed updates unmarked; with every fragment read, fewer than q holders disprove a version', () => {
    // Update 9.2 (of data 1) reached parity 2 only; data 1 and parity 3 sit on nodes under node
    // marks, so their older versions may be misses of an acknowledged update that no mark names.
    const fragments = [
      data(0, v(0, 0)),
      data(1, v(0, 0)),
      parity(2, v(9, 2), [v(9, 1), v(9, 2), v(9, 2), v(9, 2)]),
      parity(3, v(9, 1), [v(9, 1), v(0, 0), v(9, 1), v(9, 1)]),
    ];
    const base = { k: 2, m: 2, marks: new Map([[0, v(9, 1)]]), unsure: new Set([1, 3]) };
    expect(checkStripe({ ...base, fragments })).to.deep.include({ kind: 'wait' });
    // Every fragment read: only parity 2 holds 9.2 or anything newer that could have been it.
    const decided = checkStripe({ ...base, fragments, writeQuorum: 3 });
    expect(decided).to.deep.include({ kind: 'settled', from: 'partition' });
    expect(decided.kind === 'settled' && decided.disproved).to.deep.equal([
      { index: 1, version: v(9, 2) },
    ]);
    // One fragment not read: it could be a holder, so the stripe waits.
    const partial = fragments.map((view) => (view.index === 0 ? unread(0) : view));
    expect(checkStripe({ ...base, fragments: partial, writeQuorum: 3 })).to.deep.include({
      kind: 'wait',
    });
    // Without node marks, data 1 at 0.0 (unmarked) is the evidence, as before.
    expect(checkStripe({ k: 2, m: 2, marks: base.marks, fragments: partial })).to.deep.include({
      kind: 'settled',
    });
  });

  it('RS(4,2): names the disproved version a data fragment holds when it must wait; read from before it, the data settle', () => {
    // Seed 254 of RS(4,2): 11.2 wrote data fragments 1 to 3 and reached data fragment 2 and
    // parity 5 alone; parity 4 is marked at 11.1. Data fragment 1, read and unmarked, disproves
    // 11.2, but data fragment 2 holds it: neither a partition of k nor the data.
    const d2 = (version: Version): FragmentView =>
      version.seq === 2
        ? {
            ...data(2, version),
            registry: [v(0, 0), v(11, 2), v(11, 2), v(11, 2), v(11, 2), v(11, 2)],
          }
        : data(2, version);
    const input = (two: Version) => ({
      k: 4,
      m: 2,
      marks: new Map([[4, v(11, 1)]]),
      writeQuorum: 5,
      fragments: [
        data(0, v(0, 0)),
        data(1, v(0, 0)),
        d2(two),
        data(3, v(0, 0)),
        parity(4, v(0, 0), [v(0, 0), v(0, 0), v(0, 0), v(0, 0), v(0, 0), v(0, 0)]),
        parity(5, v(11, 2), [v(0, 0), v(11, 2), v(11, 2), v(11, 2), v(11, 2), v(11, 2)]),
      ],
    });
    const disproved = [1, 2, 3].map((index) => ({ index, version: v(11, 2) }));
    expect(checkStripe(input(v(11, 2)))).to.deep.include({ kind: 'wait', disproved });
    // Data fragment 2 read from its history, from before 11.2:
    expect(checkStripe(input(v(0, 0)))).to.deep.include({
      kind: 'settled',
      from: 'data',
      dataVersions: [v(0, 0), v(0, 0), v(0, 0), v(0, 0)],
      rewrite: [4, 5],
      disproved,
    });
  });

  it('RS(4,2): names data fragments ahead of a short partition at a version a fragment disproves; read from before it, the partition settles', () => {
    // Seed 1700 of RS(4,2): 10.2 (data fragments 0 and 1) was acknowledged with parity 4
    // marked; 10.3 wrote all four and reached data fragments 0, 1 and 3, no parity. 10.2's
    // partition is short (data fragment 2 and parity 5); data fragment 2, read below 10.3 and
    // unmarked, shows 10.3 was never acknowledged.
    const all = (version: Version): Version[] => Array.from({ length: 6 }, () => version);
    const ahead = (index: number): FragmentView => ({
      ...data(index, v(10, 3)),
      registry: all(v(10, 3)),
    });
    const at = (versions: Version[]): FragmentView[] => [
      ...versions.map((version, index) =>
        sameVersion(version, v(10, 3)) ? ahead(index) : data(index, version),
      ),
      parity(4, v(10, 1), [v(0, 0), v(0, 0), v(10, 1), v(0, 0), v(10, 1), v(10, 1)]),
      parity(5, v(10, 2), [v(10, 2), v(10, 2), v(10, 1), v(0, 0), v(10, 2), v(10, 2)]),
    ];
    const input = (fragments: FragmentView[], unsure: number[]) => ({
      k: 4,
      m: 2,
      marks: new Map([[4, v(10, 2)]]),
      unsure: new Set(unsure),
      writeQuorum: 5,
      fragments,
    });
    const waits = checkStripe(input(at([v(10, 3), v(10, 3), v(10, 1), v(10, 3)]), [1, 5]));
    expect(waits).to.deep.include({
      kind: 'wait',
      disproved: [0, 1, 2, 3].map((index) => ({ index, version: v(10, 3) })),
    });
    // Data fragments 0, 1 and 3 read from before 10.3: the data are 10.2's state, all current.
    expect(checkStripe(input(at([v(10, 2), v(10, 2), v(10, 1), v(0, 0)]), [1, 5]))).to.deep.include(
      {
        kind: 'settled',
        from: 'data',
        dataVersions: [v(10, 2), v(10, 2), v(10, 1), v(0, 0)],
        members: [0, 1, 2, 3, 5],
        rewrite: [4],
      },
    );
    // No such evidence when data fragment 2 and parity 4 may have missed 10.3 unmarked: none named.
    const unsure = checkStripe(input(at([v(10, 3), v(10, 3), v(10, 1), v(10, 3)]), [1, 2, 4, 5]));
    expect(unsure.kind).to.equal('wait');
    expect(unsure).to.not.have.property('disproved');
  });

  it('RS(4,2), q = k: names a data fragment that holds part of a disproved update when both parities are marked; read from before it, the data settle', () => {
    // Seed 164 of RS(4,2) with q = 4: both parities are marked at 8.2; 8.4 wrote data fragments
    // 0 and 2 and reached data fragment 0 alone. With no usable parity the stripe waited, though
    // data fragment 2, read and unmarked, shows 8.4 was never acknowledged.
    const merged = [v(8, 4), v(0, 0), v(8, 4), v(0, 0), v(8, 4), v(8, 4)];
    const input = (zero: FragmentView) => ({
      k: 4,
      m: 2,
      marks: new Map([
        [4, v(8, 2)],
        [5, v(8, 2)],
      ]),
      writeQuorum: 4,
      fragments: [
        zero,
        data(1, v(0, 0)),
        data(2, v(0, 0)),
        data(3, v(0, 0)),
        parity(4, v(8, 1), [v(8, 1), v(0, 0), v(0, 0), v(0, 0), v(8, 1), v(8, 1)]),
        parity(5, v(8, 1), [v(8, 1), v(0, 0), v(0, 0), v(0, 0), v(8, 1), v(8, 1)]),
      ],
    });
    const disproved = [0, 2].map((index) => ({ index, version: v(8, 4) }));
    expect(checkStripe(input({ ...data(0, v(8, 4)), registry: merged }))).to.deep.include({
      kind: 'wait',
      disproved,
    });
    expect(checkStripe(input(data(0, v(8, 1))))).to.deep.include({
      kind: 'settled',
      from: 'data',
      dataVersions: [v(8, 1), v(0, 0), v(0, 0), v(0, 0)],
      rewrite: [4, 5],
    });
  });
});
