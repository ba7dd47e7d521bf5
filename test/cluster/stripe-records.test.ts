// Proves the cluster map's guard on stale marks and aborts (DESIGN.md, "Failure and recovery"):
// only a CM that owned the stripe in every epoch since the ownership epoch it names may mark,
// clear or abort; a mark only moves up; a clear must name the mark as it stands; and aborts
// outlive the mark they came with.
import { expect } from 'chai';
import { owner, stripeKey } from '../../placement/index.js';
import { ClusterMap, encodeCommand } from '../../node/cluster/cluster-map.js';
import type { ClusterCommand, ClusterResult } from '../../node/cluster/cluster-map-types.js';
import { fragmentLocations, isAborted } from '../../node/cluster/stripe-records.js';
import { fragmentNodes } from '../../node/cm/owned-stripe.js';
import { implicitMarks } from '../../node/cluster/node-marks.js';

class Log {
  readonly map = new ClusterMap();
  private index = 0;
  apply(command: ClusterCommand): ClusterResult {
    return this.map.apply(++this.index, encodeCommand(command));
  }
}

const IDS = ['a', 'b', 'c', 'd', 'e', 'f'];

function cluster(): Log {
  const log = new Log();
  IDS.forEach((id, i) => {
    const region = `r${(i % 3) + 1}`;
    log.apply({
      type: 'add_member',
      member: {
        id,
        raftId: i + 1,
        region,
        zone: `${region}-a`,
        weight: 1,
        grpcAddress: `127.0.0.1:${7001 + i}`,
        adminAddress: `127.0.0.1:${8001 + i}`,
      },
    });
  });
  expect(
    log.apply({ type: 'create_volume', name: 'db', k: 4, m: 2, blockBytes: 65536 }),
  ).to.deep.include({ ok: true });
  return log;
}

const ownerNow = (log: Log, stripe: number): string =>
  owner(stripeKey('db', stripe), log.map.cmSet())!;
const v = (epoch: number, seq: number) => ({ epoch, seq });

describe('cluster: stale marks, aborts and the ownership check', () => {
  it('takes a mark from the owner only, moves it only up, and records the aborts a new owner names', () => {
    const log = cluster();
    const epoch = log.map.current.epoch;
    const stripeOwner = ownerNow(log, 7);
    const other = IDS.find((id) => id !== stripeOwner)!;
    const refused = log.apply({
      type: 'mark_stale',
      proposer: other,
      ownershipEpoch: epoch,
      marks: [{ volume: 'db', stripe: 7, index: 2, version: v(epoch, 5) }],
    });
    expect(refused).to.deep.include({ ok: false, code: 'OWNERSHIP_REFUSED' });
    expect(log.map.current.marks).to.deep.equal([]);

    expect(
      log.apply({
        type: 'mark_stale',
        proposer: stripeOwner,
        ownershipEpoch: epoch,
        marks: [
          { volume: 'db', stripe: 7, index: 2, version: v(epoch, 5), abortUpTo: v(epoch, 9) },
        ],
      }),
    ).to.deep.include({ ok: true });
    log.apply({
      type: 'mark_stale',
      proposer: stripeOwner,
      ownershipEpoch: epoch,
      marks: [{ volume: 'db', stripe: 7, index: 2, version: v(epoch, 3) }],
    });
    expect(log.map.current.marks.map((mark) => mark.version)).to.deep.equal([v(epoch, 5)]);
    expect(
      [5, 6, 9, 10].map((seq) => isAborted(log.map.current, 'db', 7, 2, v(epoch, seq))),
    ).to.deep.equal([false, true, true, false]);

    // A clear must name the mark as it stands; the aborts stay after it.
    const stale = log.apply({
      type: 'clear_mark',
      proposer: stripeOwner,
      ownershipEpoch: epoch,
      volume: 'db',
      stripe: 7,
      index: 2,
      version: v(epoch, 4),
      markEpoch: epoch,
    });
    expect(stale).to.deep.include({ ok: false, code: 'MARK_CHANGED' });
    expect(
      log.apply({
        type: 'clear_mark',
        proposer: stripeOwner,
        ownershipEpoch: epoch,
        volume: 'db',
        stripe: 7,
        index: 2,
        version: v(epoch, 5),
        markEpoch: epoch,
      }),
    ).to.deep.include({ ok: true });
    expect(log.map.current.marks).to.deep.equal([]);
    expect(
      isAborted(log.map.current, 'db', 7, 2, v(epoch, 6)),
      'clearing a mark does not lift its aborts',
    ).to.equal(true);
  });

  it('refuses an owner whose ownership was broken (A, then B, then A again) for its old ownership epoch', () => {
    const log = cluster();
    const first = log.map.current.epoch;
    const stripe = 11;
    const a = ownerNow(log, stripe);
    log.apply({ type: 'set_state', id: a, state: 'down', reason: 'test' });
    const b = ownerNow(log, stripe);
    const whileAway = log.map.current.epoch;
    expect(b).not.to.equal(a);
    log.apply({ type: 'set_state', id: a, state: 'up', reason: 'test' });
    expect(ownerNow(log, stripe), 'rendezvous gives A its stripe back').to.equal(a);
    const back = log.map.current.epoch;

    const mark = (proposer: string, ownershipEpoch: number): ClusterResult =>
      log.apply({
        type: 'mark_stale',
        proposer,
        ownershipEpoch,
        marks: [{ volume: 'db', stripe, index: 0, version: v(back, 1) }],
      });
    expect(
      mark(a, first),
      'A did not own it in every epoch since its first ownership',
    ).to.deep.include({ ok: false, code: 'OWNERSHIP_REFUSED' });
    expect(mark(b, whileAway), 'B no longer owns it').to.deep.include({
      ok: false,
      code: 'OWNERSHIP_REFUSED',
    });
    expect(mark(a, back), 'A, with the ownership epoch of its return').to.deep.include({
      ok: true,
    });
  });

  it('records the exact versions a repair rolls back, under the same check', () => {
    const log = cluster();
    const epoch = log.map.current.epoch;
    const stripeOwner = ownerNow(log, 3);
    expect(
      log.apply({
        type: 'record_aborts',
        proposer: stripeOwner,
        ownershipEpoch: epoch,
        volume: 'db',
        stripe: 3,
        aborted: [{ index: 1, version: v(epoch, 4) }],
      }),
    ).to.deep.include({ ok: true });
    expect(
      [3, 4, 5].map((seq) => isAborted(log.map.current, 'db', 3, 1, v(epoch, seq))),
    ).to.deep.equal([false, true, false]);
    expect(
      isAborted(log.map.current, 'db', 3, 0, v(epoch, 4)),
      'another fragment is untouched',
    ).to.equal(false);
  });

  it('drops the abort records its owner names as spent, and only those, under the same check', () => {
    const log = cluster();
    const epoch = log.map.current.epoch;
    const stripeOwner = ownerNow(log, 3);
    const other = log.map.current.members.find((member) => member.id !== stripeOwner)!.id;
    const aborts = (stripe: number, index: number, seqs: number[]): ClusterCommand => ({
      type: 'record_aborts',
      proposer: ownerNow(log, stripe),
      ownershipEpoch: epoch,
      volume: 'db',
      stripe,
      aborted: seqs.map((seq) => ({ index, version: v(epoch, seq) })),
    });
    for (const command of [aborts(3, 1, [4, 6]), aborts(3, 0, [4]), aborts(5, 1, [4])])
      expect(log.apply(command)).to.deep.include({ ok: true });
    const drop = (proposer: string, seq: number): ClusterCommand => ({
      type: 'drop_aborts',
      proposer,
      ownershipEpoch: epoch,
      volume: 'db',
      stripe: 3,
      dropped: [{ index: 1, above: v(epoch, seq - 1), upTo: v(epoch, seq) }],
    });
    expect(log.apply(drop(other, 4)), 'not the owner').to.deep.include({
      ok: false,
      code: 'OWNERSHIP_REFUSED',
    });
    expect(isAborted(log.map.current, 'db', 3, 1, v(epoch, 4))).to.equal(true);
    expect(log.apply(drop(stripeOwner, 4))).to.deep.include({ ok: true });
    expect(
      [
        isAborted(log.map.current, 'db', 3, 1, v(epoch, 4)),
        isAborted(log.map.current, 'db', 3, 1, v(epoch, 6)),
        isAborted(log.map.current, 'db', 3, 0, v(epoch, 4)),
        isAborted(log.map.current, 'db', 5, 1, v(epoch, 4)),
      ],
      'only the record named is gone',
    ).to.deep.equal([false, true, true, true]);
    expect(log.apply(drop(stripeOwner, 4)), 'a record already gone is passed over').to.deep.include(
      { ok: true },
    );
    expect(log.map.current.aborts.length).to.equal(3);
  });

  it('refuses malformed records with a code naming what is wrong, changing nothing', () => {
    const log = cluster();
    const epoch = log.map.current.epoch;
    const stripeOwner = ownerNow(log, 1);
    const cases: [ClusterCommand, string, RegExp][] = [
      [
        {
          type: 'mark_stale',
          proposer: stripeOwner,
          ownershipEpoch: epoch,
          marks: [{ volume: 'nope', stripe: 1, index: 0, version: v(epoch, 1) }],
        },
        'NOT_FOUND',
        /volume nope/,
      ],
      [
        {
          type: 'mark_stale',
          proposer: stripeOwner,
          ownershipEpoch: epoch,
          marks: [{ volume: 'db', stripe: 1, index: 6, version: v(epoch, 1) }],
        },
        'INVALID_ARGUMENT',
        /index: must be a fragment index of RS\(4,2\)/,
      ],
      [
        {
          type: 'mark_stale',
          proposer: stripeOwner,
          ownershipEpoch: epoch + 5,
          marks: [{ volume: 'db', stripe: 1, index: 0, version: v(epoch, 1) }],
        },
        'OWNERSHIP_REFUSED',
        /is not an epoch of this map/,
      ],
      [
        { type: 'mark_stale', proposer: stripeOwner, ownershipEpoch: epoch, marks: [] },
        'INVALID_ARGUMENT',
        /at least one mark/,
      ],
      [
        {
          type: 'mark_stale',
          proposer: stripeOwner,
          ownershipEpoch: epoch,
          marks: [
            { volume: 'db', stripe: 1, index: 0, version: v(epoch, 4), abortUpTo: v(epoch, 2) },
          ],
        },
        'INVALID_ARGUMENT',
        /abortUpTo/,
      ],
      [
        {
          type: 'clear_mark',
          proposer: stripeOwner,
          ownershipEpoch: epoch,
          volume: 'db',
          stripe: 1,
          index: 0,
          version: v(epoch, 1),
          markEpoch: epoch,
        },
        'NOT_FOUND',
        /no mark/,
      ],
      [
        {
          type: 'drop_aborts',
          proposer: stripeOwner,
          ownershipEpoch: epoch,
          volume: 'db',
          stripe: 1,
          dropped: [],
        },
        'INVALID_ARGUMENT',
        /dropped: must list at least one abort record/,
      ],
      [
        {
          type: 'drop_aborts',
          proposer: stripeOwner,
          ownershipEpoch: epoch,
          volume: 'db',
          stripe: 1,
          dropped: [{ index: 9, above: v(epoch, 1), upTo: v(epoch, 2) }],
        },
        'INVALID_ARGUMENT',
        /index: must be a fragment index of RS\(4,2\)/,
      ],
    ];
    for (const [command, code, message] of cases) {
      const result = log.apply(command);
      expect(result, JSON.stringify(command)).to.deep.include({ ok: false, code });
      expect(!result.ok && result.message).to.match(message);
    }
    expect(log.map.current.marks).to.deep.equal([]);
    expect(log.map.current.aborts).to.deep.equal([]);
  });
  it('keeps a stripe where its volume was laid out until its owner switches the layout, and only the owner, under a newer stamp', () => {
    const log = cluster();
    const volume = log.map.volume('db')!;
    const base = fragmentLocations(log.map.current, volume, 3);
    expect(base).to.deep.equal(fragmentNodes(log.map.current, volume, 3));
    // A node drained: placement moves fragments, their locations stay.
    const drained = base[0]!;
    log.apply({ type: 'set_state', id: drained, state: 'draining', reason: 'test' });
    const placed = fragmentNodes(log.map.current, volume, 3);
    expect(placed).to.not.deep.equal(base);
    expect(fragmentLocations(log.map.current, log.map.volume('db')!, 3)).to.deep.equal(base);
    const stripeOwner = ownerNow(log, 3);
    // The owner in the newest epoch, from that epoch (a state change may start a new one).
    let seq = 0;
    const layout = (
      proposer: string,
      nodes: (string | null)[],
      stamp = v(log.map.current.epoch, ++seq),
    ): ClusterResult =>
      log.apply({
        type: 'set_layout',
        proposer,
        ownershipEpoch: log.map.current.epoch,
        volume: 'db',
        stripe: 3,
        nodes,
        stamp,
      });
    const other = IDS.find((id) => id !== stripeOwner)!;
    expect(layout(other, placed)).to.deep.include({ ok: false, code: 'OWNERSHIP_REFUSED' });
    expect(layout(stripeOwner, placed.slice(1))).to.deep.include({
      ok: false,
      code: 'INVALID_ARGUMENT',
    });
    expect(layout(stripeOwner, [...placed.slice(1), 'nobody'])).to.deep.include({
      ok: false,
      code: 'INVALID_ARGUMENT',
    });
    expect(fragmentLocations(log.map.current, volume, 3), 'refusals change nothing').to.deep.equal(
      base,
    );
    expect(layout(stripeOwner, placed)).to.deep.include({ ok: true });
    expect(fragmentLocations(log.map.current, volume, 3)).to.deep.equal(placed);
    expect(fragmentLocations(log.map.current, volume, 4), 'other stripes stay').to.deep.equal(
      fragmentLocations(log.map.current, volume, 4),
    );
    expect(log.map.current.layouts).to.have.length(1);
    // A switch proposed earlier that arrives late (its stamp is not above the layout's) is refused.
    const late = v(log.map.current.epoch, seq);
    expect(layout(stripeOwner, base, late)).to.deep.include({ ok: false, code: 'LAYOUT_STALE' });
    expect(fragmentLocations(log.map.current, volume, 3)).to.deep.equal(placed);
    // Switched back to where the base puts them: the record stays, for its stamp.
    log.apply({ type: 'set_state', id: drained, state: 'up', reason: 'test' });
    expect(layout(ownerNow(log, 3), base)).to.deep.include({ ok: true });
    expect(log.map.current.layouts).to.have.length(1);
    expect(fragmentLocations(log.map.current, volume, 3)).to.deep.equal(base);
    expect(layout(ownerNow(log, 3), placed)).to.deep.include({ ok: true });
    log.apply({ type: 'delete_volume', name: 'db' });
    expect(log.map.current.layouts, "a deleted volume's layouts go with it").to.deep.equal([]);
  });
});

describe('cluster: node marks (a node back from down, q > k)', () => {
  const state = (log: Log) => log.map.current;
  const markOf = (log: Log, node: string) =>
    state(log).nodeMarks?.find((mark) => mark.node === node);

  it('opens a mark in the entry that takes a node out of down, covering its fragments until each stripe is cleared', () => {
    const log = cluster();
    expect(log.apply({ type: 'set_state', id: 'c', state: 'down', reason: 't' })).to.deep.include({
      ok: true,
    });
    expect(state(log).nodeMarks ?? []).to.deep.equal([]); // down alone marks nothing
    log.apply({ type: 'set_state', id: 'c', state: 'up', reason: 't' });
    const mark = markOf(log, 'c')!;
    expect(mark).to.deep.include({ node: 'c', index: state(log).appliedIndex, cleared: [] });
    // Going draining or out from down opens one too; a node that was never down opens none.
    log.apply({ type: 'set_state', id: 'd', state: 'draining', reason: 't' });
    expect(markOf(log, 'd')).to.equal(undefined);
    log.apply({ type: 'set_states', changes: [{ id: 'e', state: 'down' }], reason: 't' });
    log.apply({ type: 'set_states', changes: [{ id: 'e', state: 'out' }], reason: 't' });
    expect(markOf(log, 'e')).to.deep.include({ node: 'e', cleared: [] });

    const volume = state(log).volumes[0]!;
    const stripe = [...Array(64).keys()].find((s) =>
      fragmentLocations(state(log), volume, s).includes('c'),
    )!;
    const index = fragmentLocations(state(log), volume, stripe).indexOf('c');
    expect(
      implicitMarks(state(log), volume, stripe, fragmentLocations(state(log), volume, stripe)).get(
        index,
      ),
    ).to.deep.include({ node: 'c' });
    const clear = (proposer: string, markIndex = mark.index): ClusterResult =>
      log.apply({
        type: 'clear_node_mark',
        proposer,
        ownershipEpoch: state(log).epoch,
        node: 'c',
        markIndex,
        stripes: [{ volume: 'db', stripe }],
      });
    const other = IDS.find((id) => id !== ownerNow(log, stripe) && id !== 'e')!;
    expect(clear(other)).to.deep.include({ ok: false, code: 'OWNERSHIP_REFUSED' });
    expect(clear(ownerNow(log, stripe), mark.index - 1)).to.deep.include({
      ok: false,
      code: 'MARK_CHANGED',
    });
    expect(clear(ownerNow(log, stripe))).to.deep.include({ ok: true });
    expect(markOf(log, 'c')!.cleared).to.deep.equal([stripeKey('db', stripe)]);
    expect(
      implicitMarks(state(log), volume, stripe, fragmentLocations(state(log), volume, stripe)).has(
        index,
      ),
    ).to.equal(false);
    // Down again and back: a new mark replaces it, with nothing cleared.
    log.apply({ type: 'set_state', id: 'c', state: 'down', reason: 't' });
    expect(
      implicitMarks(state(log), volume, stripe, fragmentLocations(state(log), volume, stripe)).get(
        index,
      ),
    ).to.equal('down');
    log.apply({ type: 'set_state', id: 'c', state: 'up', reason: 't' });
    expect(markOf(log, 'c')!.index).to.be.greaterThan(mark.index);
    expect(markOf(log, 'c')!.cleared).to.deep.equal([]);
    // A member removed takes its mark with it.
    log.apply({ type: 'remove_member', id: 'e' });
    expect(markOf(log, 'e')).to.equal(undefined);
  });

  it('drops a mark once every CM of one epoch has swept, and only then', () => {
    const log = cluster();
    log.apply({ type: 'set_state', id: 'b', state: 'down', reason: 't' });
    log.apply({ type: 'set_state', id: 'b', state: 'up', reason: 't' });
    const { index } = markOf(log, 'b')!;
    const swept = (proposer: string, epoch = state(log).epoch): ClusterResult =>
      log.apply({ type: 'node_mark_swept', proposer, node: 'b', markIndex: index, epoch });
    for (const id of IDS.slice(0, 5)) expect(swept(id)).to.deep.include({ ok: true });
    expect(markOf(log, 'b')!.swept).to.have.length(5);
    // A new epoch: the sweeps so far count for nothing, and one of the old epoch is refused.
    const before = state(log).epoch;
    log.apply({ type: 'set_state', id: 'f', state: 'down', reason: 't' });
    expect(swept('a', before)).to.deep.include({ ok: false, code: 'EPOCH_CHANGED' });
    expect(swept('f')).to.deep.include({ ok: false, code: 'OWNERSHIP_REFUSED' });
    for (const id of IDS.slice(0, 4)) swept(id);
    expect(markOf(log, 'b')).to.not.equal(undefined);
    expect(swept('e')).to.deep.include({ ok: true });
    expect(markOf(log, 'b')).to.equal(undefined);
  });

  it('leaves volumes with q = k out: their misses are proposed as marks like any other', () => {
    const log = cluster();
    log.apply({ type: 'create_volume', name: 'kq', k: 4, m: 2, blockBytes: 65536, writeQuorum: 4 });
    log.apply({ type: 'set_state', id: 'a', state: 'down', reason: 't' });
    const volume = state(log).volumes.find((record) => record.name === 'kq')!;
    const sources = fragmentLocations(state(log), volume, 3);
    expect(implicitMarks(state(log), volume, 3, sources).size).to.equal(0);
    log.apply({ type: 'set_state', id: 'a', state: 'up', reason: 't' });
    expect(implicitMarks(state(log), volume, 3, sources).size).to.equal(0);
  });
});
