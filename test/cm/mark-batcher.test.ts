// Proves how a CM's stale marks share Raft entries: a mark with nothing in flight goes at once
// alone; the marks that arrive while it is in flight go together in one entry per ownership
// epoch; a batch the map refuses is proposed again update by update, so that only the stripe the
// CM lost fails; a proposal that throws fails every update it carried.
import { expect } from 'chai';
import type { ClusterCommand, ClusterResult } from '../../node/cluster/cluster-map-types.js';
import { emptyStats } from '../../node/cm/cm-context.js';
import { MarkBatcher } from '../../node/cm/mark-batcher.js';
import type { MapPort } from '../../node/cm/ports.js';

type MarkCommand = Extract<ClusterCommand, { type: 'mark_stale' }>;

function mark(stripe: number, ownershipEpoch = 4): MarkCommand {
  return {
    type: 'mark_stale',
    proposer: 'n1',
    ownershipEpoch,
    marks: [{ volume: 'v', stripe, index: 1, version: { epoch: ownershipEpoch, seq: stripe } }],
  };
}

/** A map whose proposals resolve when the test says, refusing any command that marks `lost`. */
class FakeMap implements MapPort {
  readonly proposed: ClusterCommand[] = [];
  private readonly waiting: (() => void)[] = [];
  lost = new Set<number>();
  failing = false;

  current(): never {
    throw new Error('not used');
  }
  confirm(): never {
    throw new Error('not used');
  }
  propose(command: ClusterCommand): Promise<ClusterResult> {
    this.proposed.push(command);
    return new Promise((resolve, reject) =>
      this.waiting.push(() => {
        if (this.failing) return reject(new Error('no leader'));
        const refused = stripesOf(command).some((stripe) => this.lost.has(stripe));
        resolve(
          refused
            ? { ok: false, code: 'OWNERSHIP_REFUSED', message: 'lost' }
            : { ok: true, epoch: 4, topologyVersion: 1 },
        );
      }),
    );
  }
  /** Applies every proposal made so far. */
  async applyAll(): Promise<void> {
    while (this.waiting.length > 0) {
      this.waiting.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const stripesOf = (command: ClusterCommand): number[] =>
  command.type === 'mark_stale'
    ? command.marks.map((m) => m.stripe)
    : command.type === 'clear_node_mark'
      ? command.stripes.map((entry) => entry.stripe)
      : [];

function clear(stripe: number, node = 'n3', markIndex = 40): ClusterCommand {
  return {
    type: 'clear_node_mark',
    proposer: 'n1',
    ownershipEpoch: 4,
    node,
    markIndex,
    stripes: [{ volume: 'v', stripe }],
  };
}

describe('cm: stale marks share Raft entries', () => {
  it('sends a mark at once, and the marks arriving meanwhile together, one entry per ownership epoch', async () => {
    const map = new FakeMap();
    const stats = emptyStats();
    const port = new MarkBatcher(map, stats).port();
    const first = port.propose(mark(1));
    const later = [port.propose(mark(2)), port.propose(mark(3)), port.propose(mark(4, 5))];
    expect(map.proposed.map(stripesOf), 'only the first goes at once').to.deep.equal([[1]]);
    await map.applyAll();
    expect((await first).ok).to.equal(true);
    for (const result of await Promise.all(later)) expect(result.ok).to.equal(true);
    expect(map.proposed.map(stripesOf)).to.deep.equal([[1], [2, 3], [4]]);
    expect(stats.markEntries).to.equal(3);
    // Other commands are not held back.
    void port.propose({ type: 'cm_started', id: 'n1' });
    expect(map.proposed.at(-1)).to.deep.equal({ type: 'cm_started', id: 'n1' });
  });

  it('proposes a refused batch again update by update: only the lost stripe is refused', async () => {
    const map = new FakeMap();
    const port = new MarkBatcher(map, emptyStats()).port();
    map.lost.add(3);
    const first = port.propose(mark(1));
    const batched = [port.propose(mark(2)), port.propose(mark(3)), port.propose(mark(5))];
    await map.applyAll();
    expect((await first).ok).to.equal(true);
    const results = await Promise.all(batched);
    expect(results.map((result) => result.ok)).to.deep.equal([true, false, true]);
    expect(map.proposed.map(stripesOf)).to.deep.equal([[1], [2, 3, 5], [2], [3], [5]]);
  });

  it('fails every update of a proposal that throws, and goes on with the next', async () => {
    const map = new FakeMap();
    const port = new MarkBatcher(map, emptyStats()).port();
    map.failing = true;
    const first = port.propose(mark(1)).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    const second = port.propose(mark(2)).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await map.applyAll();
    expect(await first).to.equal('no leader');
    expect(await second).to.equal('no leader');
    map.failing = false;
    const third = port.propose(mark(3));
    await map.applyAll();
    expect((await third).ok).to.equal(true);
  });

  it("batches clears of a node's mark the same way, one entry per node mark, apart from marks", async () => {
    const map = new FakeMap();
    const stats = emptyStats();
    const port = new MarkBatcher(map, stats).port();
    const first = port.propose(clear(1));
    const later = [
      port.propose(clear(2)),
      port.propose(mark(3)),
      port.propose(clear(4)),
      port.propose(clear(5, 'n4', 41)),
    ];
    expect(map.proposed.map(stripesOf)).to.deep.equal([[1]]);
    map.lost.add(4);
    await map.applyAll();
    expect((await first).ok).to.equal(true);
    const results = await Promise.all(later);
    expect(results.map((result) => result.ok)).to.deep.equal([true, true, false, true]);
    // One entry for stripes 2 and 4 (refused whole, then each alone), one for the mark, one for n4.
    expect(map.proposed.map((command) => [command.type, stripesOf(command)])).to.deep.equal([
      ['clear_node_mark', [1]],
      ['clear_node_mark', [2, 4]],
      ['mark_stale', [3]],
      ['clear_node_mark', [5]],
      ['clear_node_mark', [2]],
      ['clear_node_mark', [4]],
    ]);
    expect(stats.markEntries, 'only mark_stale entries are counted as marks').to.equal(1);
  });
});
