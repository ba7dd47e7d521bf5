// Proves the cluster map's rules, which every node applies identically from the Raft log: the
// epoch moves exactly when the CM set or the placement changes (down is not out), bad commands
// are refused with a code and change nothing, volumes get a rule the topology can hold, a
// snapshot restores the same map, and applying a command leaves the map before it untouched.
import { expect } from 'chai';
import fc from 'fast-check';
import { ClusterMap, encodeCommand } from '../../node/cluster/cluster-map.js';
import type {
  ClusterCommand,
  ClusterMapState,
  ClusterResult,
} from '../../node/cluster/cluster-map-types.js';
import { ownersByEpoch } from '../../node/cluster/stripe-records.js';

function member(id: string, region: string, zone = `${region}-z1`): ClusterCommand {
  return {
    type: 'add_member',
    member: {
      id,
      raftId: id.length * 1000 + id.charCodeAt(0),
      region,
      zone,
      weight: 1,
      grpcAddress: `127.0.0.1:${7000 + id.length}`,
      adminAddress: '127.0.0.1:8000',
    },
  };
}

class Log {
  readonly map = new ClusterMap();
  private index = 0;
  apply(command: ClusterCommand | string): ClusterResult {
    const bytes = typeof command === 'string' ? Buffer.from(command) : encodeCommand(command);
    return this.map.apply(++this.index, bytes);
  }
}

function sixNodes(): Log {
  const log = new Log();
  for (const [id, region] of [
    ['a', 'r1'],
    ['b', 'r1'],
    ['c', 'r2'],
    ['d', 'r2'],
    ['e', 'r3'],
    ['f', 'r3'],
  ] as const)
    log.apply(member(id, region));
  return log;
}

/**
 * A stripe record whose proposer is '*' comes from the stripe's owner now, in the current epoch
 * (so that marks, layouts and aborts are accepted, not only refused); other commands as they are.
 */
function fromTheOwner(state: Readonly<ClusterMapState>, command: ClusterCommand): ClusterCommand {
  if (!('proposer' in command) || command.proposer !== '*') return command;
  if (command.type === 'node_mark_swept') {
    // A CM of the epoch that has not swept yet, about the node's mark as it stands.
    const mark = state.nodeMarks?.find((record) => record.node === command.node);
    const swept = mark?.sweptEpoch === state.epoch ? mark.swept : [];
    const cm = state.members.find((m) => m.state === 'up' && !swept.includes(m.id));
    return {
      ...command,
      proposer: cm?.id ?? 'nobody',
      markIndex: mark?.index ?? command.markIndex,
      epoch: state.epoch,
    };
  }
  const stripe =
    command.type === 'mark_stale'
      ? command.marks[0]!.stripe
      : command.type === 'clear_node_mark'
        ? command.stripes[0]!.stripe
        : command.stripe;
  const now = ownersByEpoch(state, 'v', stripe).at(-1);
  const proposer = now?.owner ?? 'nobody';
  const epoch = state.epoch;
  if (command.type === 'mark_stale')
    return {
      ...command,
      proposer,
      ownershipEpoch: epoch,
      marks: command.marks.map((mark) => ({
        ...mark,
        version: { epoch, seq: mark.version.seq },
      })),
    };
  if (command.type === 'clear_mark') {
    const mark = state.marks.find(
      (record) => record.stripe === stripe && record.index === command.index,
    );
    return {
      ...command,
      proposer,
      ownershipEpoch: epoch,
      version: mark?.version ?? command.version,
      markEpoch: mark?.ownershipEpoch ?? command.markEpoch,
    };
  }
  if (command.type === 'clear_node_mark') {
    const mark = state.nodeMarks?.find((record) => record.node === command.node);
    return {
      ...command,
      proposer,
      ownershipEpoch: epoch,
      markIndex: mark?.index ?? command.markIndex,
    };
  }
  return { ...command, proposer, ownershipEpoch: epoch };
}

describe('cluster: the cluster map', () => {
  it('moves the epoch when a node goes down, without moving the topology (down is not out)', () => {
    const log = sixNodes();
    const { epoch, topologyVersion } = log.map.current;
    const down = log.apply({
      type: 'set_state',
      id: 'c',
      state: 'down',
      reason: 'missed heartbeats',
    });
    expect(down).to.deep.equal({ ok: true, epoch: epoch + 1, topologyVersion });
    expect(log.map.cmSet().managers.map((manager) => manager.id)).to.deep.equal([
      'a',
      'b',
      'd',
      'e',
      'f',
    ]);
    const out = log.apply({ type: 'set_state', id: 'c', state: 'out', reason: 'operator' });
    expect(out).to.deep.include({
      ok: true,
      epoch: epoch + 2,
      topologyVersion: topologyVersion + 1,
    });
    expect(log.map.current.epochs.at(-1)).to.deep.include({
      epoch: epoch + 2,
      cmSet: ['a', 'b', 'd', 'e', 'f'],
    });
  });

  it('does not move the epoch for a change of neither the CM set nor placement', () => {
    const log = sixNodes();
    const { epoch } = log.map.current;
    expect(
      log.apply({ type: 'create_volume', name: 'db', k: 4, m: 2, blockBytes: 65536 }),
    ).to.deep.include({ ok: true, epoch });
    expect(
      log.apply({ type: 'set_state', id: 'a', state: 'up', reason: 'already up' }),
    ).to.deep.include({ ok: true, epoch });
  });

  it('gives a volume the default rule with its reason, or refuses a rule the topology cannot hold', () => {
    const log = sixNodes();
    const created = log.apply({ type: 'create_volume', name: 'db', k: 4, m: 2, blockBytes: 65536 });
    expect(created.ok && created.volume).to.deep.include({
      k: 4,
      m: 2,
      writeQuorum: 5,
      rule: { level: 'region', maxPerDomain: 2 },
    });
    expect(created.ok && created.volume?.ruleReason).to.match(/region/);
    // The epoch it was created in: its owners since then wrote every version it has (knownEmpty).
    expect(created.ok && created.volume?.createdEpoch).to.equal(log.map.current.epoch);
    log.apply({ type: 'cm_started', id: log.map.current.members[0]!.id });
    expect(log.map.current.epoch).to.be.greaterThan(log.map.volume('db')!.createdEpoch!);
    const refused = log.apply({
      type: 'create_volume',
      name: 'wide',
      k: 10,
      m: 4,
      blockBytes: 65536,
      rule: { level: 'region', maxPerDomain: 4 },
    });
    expect(refused).to.deep.include({ ok: false, code: 'PLACEMENT_RULE_UNSATISFIABLE' });
    expect(log.map.volume('wide')).to.equal(undefined);
  });

  it('refuses bad commands with a code and a message naming the field, changing nothing', () => {
    const log = sixNodes();
    const withoutIndex = (): unknown => ({ ...log.map.current, appliedIndex: 0 });
    const before = structuredClone(withoutIndex());
    const cases: [ClusterCommand | string, string, RegExp][] = [
      ['{not json', 'INVALID_COMMAND', /not JSON/],
      [
        { type: 'explode' } as unknown as ClusterCommand,
        'INVALID_COMMAND',
        /unknown command type "explode"/,
      ],
      [member('a', 'r1'), 'ALREADY_EXISTS', /member a is already/],
      [
        {
          type: 'add_member',
          member: {
            ...(member('g', 'r1') as { member: object }).member,
            raftId: 1000 + 'a'.charCodeAt(0),
          },
        } as ClusterCommand,
        'ALREADY_EXISTS',
        /member\.raftId: 1097 is a's/,
      ],
      [
        {
          type: 'add_member',
          member: { ...(member('g', 'r1') as { member: object }).member, raftId: 0 },
        } as ClusterCommand,
        'INVALID_ARGUMENT',
        /member\.raftId: must be an integer/,
      ],
      [member('bad id!', 'r1'), 'INVALID_ARGUMENT', /member\.id/],
      [member('g', 'r1', 'r2-z1'), 'INVALID_ARGUMENT', /zone r2-z1 is in region r2/],
      [{ type: 'set_state', id: 'zz', state: 'down', reason: '' }, 'NOT_FOUND', /member zz/],
      [
        { type: 'set_state', id: 'a', state: 'sleepy' as never, reason: '' },
        'INVALID_ARGUMENT',
        /state: must be one of/,
      ],
      [{ type: 'set_weight', id: 'a', weight: -1 }, 'INVALID_ARGUMENT', /weight/],
      [
        { type: 'create_volume', name: 'v', k: 4, m: 2, blockBytes: 1000 },
        'INVALID_ARGUMENT',
        /blockBytes/,
      ],
      [
        { type: 'create_volume', name: 'v', k: 4, m: 2, blockBytes: 65536, writeQuorum: 7 },
        'INVALID_ARGUMENT',
        /writeQuorum/,
      ],
      [{ type: 'delete_volume', name: 'nope' }, 'NOT_FOUND', /volume nope/],
    ];
    for (const [command, code, message] of cases) {
      const result = log.apply(command);
      expect(result, JSON.stringify(command)).to.deep.include({ ok: false, code });
      expect(!result.ok && result.message).to.match(message);
    }
    expect(withoutIndex(), 'only the applied index moved').to.deep.equal(before);
  });

  it('applies any sequence the same way twice, and a snapshot restores the same map (property)', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const stripeRecord = fc
      .record({
        proposer: fc.constantFrom(...ids, '*', '*', '*', '*', '*', '*'),
        epoch: fc.integer({ min: 0, max: 12 }),
        stripe: fc.integer({ min: 0, max: 1 }),
        index: fc.integer({ min: 0, max: 1 }),
        seq: fc.integer({ min: 1, max: 4 }),
        kind: fc.constantFrom(
          'mark',
          'clear',
          'abort',
          'drop',
          'layout',
          'node clear',
          'node swept',
        ),
        nodes: fc.array(fc.constantFrom(...ids, null), { minLength: 3, maxLength: 3 }),
      })
      .map(({ proposer, epoch, stripe, index, seq, kind, nodes }): ClusterCommand => {
        const node = ids[index + stripe * 2]!;
        if (kind === 'node clear')
          return {
            type: 'clear_node_mark',
            proposer,
            ownershipEpoch: epoch,
            node,
            markIndex: seq,
            stripes: [{ volume: 'v', stripe }],
          };
        if (kind === 'node swept')
          return { type: 'node_mark_swept', proposer, node, markIndex: seq, epoch };
        const common = { proposer, ownershipEpoch: epoch, volume: 'v', stripe };
        const version = { epoch, seq };
        if (kind === 'mark')
          return {
            type: 'mark_stale',
            proposer,
            ownershipEpoch: epoch,
            marks: [{ volume: 'v', stripe, index, version }],
          };
        if (kind === 'clear')
          return { type: 'clear_mark', ...common, index, version, markEpoch: epoch };
        if (kind === 'abort')
          return { type: 'record_aborts', ...common, aborted: [{ index, version }] };
        if (kind === 'drop')
          return {
            type: 'drop_aborts',
            ...common,
            dropped: [{ index, above: { epoch, seq: seq - 1 }, upTo: version }],
          };
        return { type: 'set_layout', ...common, nodes, stamp: version };
      });
    const command = fc.oneof(
      fc
        .record({ id: fc.constantFrom(...ids), region: fc.constantFrom('r1', 'r2', 'r3') })
        .map(({ id, region }) => member(id, region)),
      fc
        .record({
          id: fc.constantFrom(...ids),
          state: fc.constantFrom('up', 'down', 'draining', 'out'),
        })
        .map(({ id, state }): ClusterCommand => ({
          type: 'set_state',
          id,
          state: state as 'up',
          reason: 'test',
        })),
      fc
        .record({ id: fc.constantFrom(...ids), weight: fc.integer({ min: 0, max: 4 }) })
        .map(({ id, weight }): ClusterCommand => ({ type: 'set_weight', id, weight })),
      fc.constantFrom<ClusterCommand>(
        { type: 'create_volume', name: 'v', k: 2, m: 1, blockBytes: 4096 },
        { type: 'delete_volume', name: 'v' },
        { type: 'remove_member', id: 'c' },
      ),
      fc.constantFrom(...ids).map((id): ClusterCommand => ({ type: 'cm_started', id })),
      // Stripe records, often (so that a fragment's mark moves up), from a proposer that may or
      // may not own the stripe (refusals included).
      ...Array.from({ length: 6 }, () => stripeRecord),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (drawn) => {
        // Three members and the volume first, so that stripe records have a stripe to be about.
        const commands: ClusterCommand[] = [
          member('a', 'r1'),
          member('b', 'r2'),
          member('c', 'r3'),
          { type: 'create_volume', name: 'v', k: 2, m: 1, blockBytes: 4096 },
          ...drawn,
        ];
        const one = new Log();
        const two = new Log();
        let epoch = 0;
        for (const next of commands) {
          const incarnations = (): string =>
            JSON.stringify(one.map.current.members.map((m) => m.incarnation ?? 0));
          const before = JSON.stringify(one.map.cmSet().managers);
          const incarnationsBefore = incarnations();
          const topologyBefore = one.map.current.topologyVersion;
          // The map a command was applied to stays as it was (records are shared, not changed).
          const stateBefore = one.map.current;
          const stateBeforeJson = JSON.stringify(stateBefore);
          const command = fromTheOwner(one.map.current, next);
          const a = one.apply(command);
          const b = two.apply(command);
          expect(a).to.deep.equal(b);
          expect(JSON.stringify(stateBefore), `the map before ${command.type}`).to.equal(
            stateBeforeJson,
          );
          // A CM's restart (a new incarnation) is a new epoch too: its stripes are recovered.
          const moved =
            JSON.stringify(one.map.cmSet().managers) !== before ||
            incarnations() !== incarnationsBefore ||
            one.map.current.topologyVersion !== topologyBefore;
          expect(one.map.current.epoch).to.equal(moved ? epoch + 1 : epoch);
          epoch = one.map.current.epoch;
        }
        expect(one.map.digest()).to.equal(two.map.digest());
        const restored = new ClusterMap();
        restored.restore(one.map.snapshot());
        expect(restored.digest()).to.equal(one.map.digest());
        expect(restored.topology()).to.deep.equal(one.map.topology());
      }),
      { numRuns: 150 },
    );
  });
});
