// Proves the Raft simulator's Leader Completeness check both ways: a leader of a later term that
// lacks an entry committed before is reported; a leader that learns of its win late (its process
// paused while the votes came in) and lacks an entry a newer term committed meanwhile is not,
// since Raft asks that only of leaders of later terms (it steps down at the newer leader's word).
import { expect } from 'chai';
import type { Entry, Ready, Status } from '../../consensus/index.js';
import { Invariants, InvariantViolation } from '../../simulations/invariants.js';
import type { SimNode } from '../../simulations/sim-node.js';
import type { StateMachine } from '../../consensus/index.js';

type AnyNode = SimNode<StateMachine<unknown>>;

/** A member as the invariants see it: its status, and the terms of the entries it holds. */
function member(id: number, status: Omit<Status, 'id' | 'lastIndex' | 'applied'>, log: number[]) {
  const full: Status = { id, lastIndex: log.length, applied: 0, ...status };
  const node = {
    id,
    incarnation: 0,
    disk: { durableTerm: () => status.term },
    machine: { digest: () => '' },
    raft: {
      status: () => full,
      firstIndex: () => 1,
      termAt: (index: number) => log[index - 1] ?? 0,
      entryAt: (index: number): Entry | undefined =>
        log[index - 1] === undefined
          ? undefined
          : {
              index,
              term: log[index - 1]!,
              type: 'normal',
              data: new Uint8Array([log[index - 1]!]),
            },
    },
  } as unknown as AnyNode;
  return { node, ready: { status: full } as unknown as Ready };
}

describe('simulations: the Leader Completeness check', () => {
  it('reports a leader of a later term that lacks an entry committed before it', () => {
    const invariants = new Invariants(() => 0);
    const first = member(1, { role: 'leader', term: 1, leader: 1, commit: 1 }, [1]);
    invariants.afterStep(first.node, first.ready);
    const second = member(2, { role: 'leader', term: 2, leader: 2, commit: 0 }, []);
    expect(() => invariants.afterStep(second.node, second.ready)).to.throw(
      InvariantViolation,
      /leader 2 of term 2 lacks committed entry 1/,
    );
  });

  it('does not ask a leader that learns of its win late for entries a newer term committed', () => {
    const invariants = new Invariants(() => 0);
    const newer = member(1, { role: 'leader', term: 2, leader: 1, commit: 1 }, [2]);
    invariants.afterStep(newer.node, newer.ready);
    const late = member(2, { role: 'leader', term: 1, leader: 2, commit: 0 }, [1]);
    expect(() => invariants.afterStep(late.node, late.ready)).to.not.throw();
  });
});
