/**
 * Scenario tests as step lists, in the manner of etcd's raft test data: each step either does
 * something to the group (partition, crash, propose, let time pass) or states what a member
 * must show afterwards. `runScenario` runs them in order on a `Cluster` and fails at the first
 * expectation that does not hold, naming the step.
 */
import type { ConfigChange, Message, NodeId, Role } from '../consensus/index.js';
import type { Cluster } from './cluster.js';

/** One step of a scenario: an action (`do`) or an expectation (`expect`). */
export type Step =
  /** Time passes: every member (or only some) ticks this many times, messages settle between. */
  | { readonly do: 'tick'; readonly ticks: number; readonly only?: readonly NodeId[] }
  /** Messages in flight are delivered and disks sync, without time passing. */
  | { readonly do: 'settle' }
  | { readonly do: 'campaign'; readonly node: NodeId }
  | { readonly do: 'put'; readonly node: NodeId; readonly key: string; readonly value: string }
  | { readonly do: 'config'; readonly node: NodeId; readonly change: ConfigChange }
  | { readonly do: 'transfer'; readonly node: NodeId; readonly to: NodeId }
  | { readonly do: 'partition'; readonly groups: readonly (readonly NodeId[])[] }
  | { readonly do: 'isolate'; readonly node: NodeId }
  | { readonly do: 'blockLink'; readonly from: NodeId; readonly to: NodeId }
  /** Drops the messages `when` picks (described by `what`) until the next heal. */
  | { readonly do: 'drop'; readonly what: string; readonly when: (message: Message) => boolean }
  | { readonly do: 'heal' }
  | { readonly do: 'crash'; readonly node: NodeId }
  | { readonly do: 'restart'; readonly node: NodeId }
  | { readonly do: 'stallDisk'; readonly node: NodeId; readonly stalled: boolean }
  /** The member's role, and its term when given. */
  | { readonly expect: 'role'; readonly node: NodeId; readonly role: Role; readonly term?: number }
  /** The member believes `leader` leads (0: no one). */
  | { readonly expect: 'leader'; readonly node: NodeId; readonly leader: NodeId }
  | { readonly expect: 'commit'; readonly node: NodeId; readonly commit: number }
  | { readonly expect: 'term'; readonly node: NodeId; readonly term: number }
  /** The term of the member's log entry at `index` (undefined: it has none). */
  | {
      readonly expect: 'entryTerm';
      readonly node: NodeId;
      readonly index: number;
      readonly term: number | undefined;
    }
  /** The member's state machine holds `value` at `key` (null: absent). */
  | {
      readonly expect: 'value';
      readonly node: NodeId;
      readonly key: string;
      readonly value: string | null;
    }
  | { readonly expect: 'voters'; readonly node: NodeId; readonly voters: readonly NodeId[] }
  /** The last proposal's outcome: accepted, or refused with this reason. */
  | { readonly expect: 'outcome'; readonly ok: boolean; readonly reason?: string }
  /** Anything else, named. */
  | {
      readonly expect: 'that';
      readonly what: string;
      readonly holds: (cluster: Cluster) => boolean;
    };

/** Thrown when a scenario's expectation fails. */
export class ScenarioFailure extends Error {
  readonly code = 'SIM_SCENARIO';
}

/** Runs `steps` on `cluster`; throws `ScenarioFailure` naming the first step that fails. */
export function runScenario(cluster: Cluster, steps: readonly Step[]): void {
  let lastOutcome: { ok: boolean; reason?: string } | undefined;
  for (const [number, step] of steps.entries()) {
    const fail = (detail: string): never => {
      throw new ScenarioFailure(`step ${number + 1} ${JSON.stringify(step)}: ${detail}`);
    };
    if ('do' in step) {
      lastOutcome = act(cluster, step) ?? lastOutcome;
      continue;
    }
    const raft =
      step.expect === 'outcome' || step.expect === 'that'
        ? undefined
        : cluster.node(step.node).raft;
    const status = raft?.status();
    switch (step.expect) {
      case 'role':
        if (status?.role !== step.role) fail(`role is ${status?.role ?? 'down'}`);
        if (step.term !== undefined && status?.term !== step.term) fail(`term is ${status?.term}`);
        break;
      case 'leader':
        if (status?.leader !== step.leader) fail(`leader is ${status?.leader ?? 'down'}`);
        break;
      case 'commit':
        if (status?.commit !== step.commit) fail(`commit is ${status?.commit ?? 'down'}`);
        break;
      case 'term':
        if (status?.term !== step.term) fail(`term is ${status?.term ?? 'down'}`);
        break;
      case 'entryTerm': {
        const term = raft?.termAt(step.index);
        if (term !== step.term) fail(`entry term is ${term}`);
        break;
      }
      case 'value': {
        const value = cluster.node(step.node).kv.read(step.key);
        if (value !== step.value) fail(`value is ${value}`);
        break;
      }
      case 'voters': {
        const voters = raft?.currentConfig().voters ?? [];
        if (voters.join(',') !== [...step.voters].sort((a, b) => a - b).join(','))
          fail(`voters are ${voters.join(',')}`);
        break;
      }
      case 'outcome':
        if (
          lastOutcome?.ok !== step.ok ||
          (step.reason !== undefined && lastOutcome.reason !== step.reason)
        ) {
          fail(`outcome was ${JSON.stringify(lastOutcome)}`);
        }
        break;
      case 'that':
        if (!step.holds(cluster)) fail('does not hold');
        break;
    }
  }
}

function act(
  cluster: Cluster,
  step: Extract<Step, { do: string }>,
): { ok: boolean; reason?: string } | undefined {
  switch (step.do) {
    case 'tick':
      cluster.tickAll(step.ticks, step.only);
      return undefined;
    case 'settle':
      cluster.settle();
      return undefined;
    case 'campaign':
      cluster.node(step.node).step({ type: 'campaign' });
      cluster.settle();
      return undefined;
    case 'put': {
      const outcome = cluster
        .node(step.node)
        .proposeCommand({ op: 'put', key: step.key, value: step.value }, () => {});
      cluster.settle();
      return outcome?.ok === false
        ? { ok: false, reason: outcome.reason }
        : { ok: outcome !== undefined };
    }
    case 'config':
    case 'transfer': {
      const proposal =
        step.do === 'config'
          ? ({ kind: 'config', change: step.change } as const)
          : ({ kind: 'transfer', to: step.to } as const);
      const outcome = cluster.node(step.node).step({ type: 'propose', proposal })?.outcome;
      cluster.settle();
      return outcome?.ok === false
        ? { ok: false, reason: outcome.reason }
        : { ok: outcome !== undefined };
    }
    case 'partition':
      cluster.partition(step.groups);
      return undefined;
    case 'isolate':
      cluster.isolate(step.node);
      return undefined;
    case 'blockLink':
      cluster.blockLink(step.from, step.to);
      return undefined;
    case 'drop':
      cluster.dropWhen(step.when);
      return undefined;
    case 'heal':
      cluster.heal();
      return undefined;
    case 'crash':
      cluster.crash(step.node);
      return undefined;
    case 'restart':
      cluster.restart(step.node);
      cluster.settle();
      return undefined;
    case 'stallDisk':
      cluster.stallDisk(step.node, step.stalled);
      cluster.settle();
      return undefined;
  }
}
