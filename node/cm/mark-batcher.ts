/**
 * Stale marks from many updates in one Raft entry. While a node is down, every update of a stripe
 * with a fragment there must mark that fragment before it is acknowledged (DESIGN.md, step 4):
 * one entry each would cost a Raft round, a log fsync on a quorum and an apply on every node per
 * write. So the marks a CM proposes while one of its mark proposals is in flight wait for it and
 * then go together, one mark_stale command per ownership epoch (the command's ownership check
 * names one). With nothing in flight a mark goes at once: batching adds no wait when there is
 * nothing to share.
 *
 * A command is applied whole or refused whole (stripe-records.ts checks every mark first), so a
 * refused batch is proposed again mark set by mark set: a stripe this CM lost refuses only its
 * own update's marks, never another stripe's.
 *
 * Clears of a node's mark (node-marks.ts) go the same way, one clear_node_mark per ownership epoch
 * and node mark: a node back from down has every stripe it holds verified, many at once.
 */
import type { ClusterCommand, ClusterResult } from '../cluster/cluster-map-types.js';
import type { CmStats } from './cm-context.js';
import type { MapPort } from './ports.js';

type MarkCommand = Extract<ClusterCommand, { type: 'mark_stale' | 'clear_node_mark' }>;

interface Waiting {
  command: MarkCommand;
  resolve: (result: ClusterResult) => void;
  reject: (error: unknown) => void;
}

export class MarkBatcher {
  private queue: Waiting[] = [];
  private inFlight = false;

  constructor(
    private readonly map: MapPort,
    /** Counts the entries proposed (stats.markEntries). */
    private readonly stats: Pick<CmStats, 'markEntries'>,
  ) {}

  /** The map as the CM uses it: marks and node-mark clears go through the batcher, the rest as they are. */
  port(): MapPort {
    return {
      current: () => this.map.current(),
      confirm: () => this.map.confirm(),
      propose: (command) =>
        command.type === 'mark_stale' || command.type === 'clear_node_mark'
          ? this.propose(command)
          : this.map.propose(command),
    };
  }

  /** Resolves with the result of the entry that carried `command`'s marks. */
  propose(command: MarkCommand): Promise<ClusterResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      if (!this.inFlight) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const groups = new Map<string, Waiting[]>();
      for (const waiting of batch) {
        const { command } = waiting;
        const key = [
          command.type,
          command.proposer,
          command.ownershipEpoch,
          ...(command.type === 'clear_node_mark' ? [command.node, command.markIndex] : []),
        ].join('\u0000');
        const group = groups.get(key);
        if (group) group.push(waiting);
        else groups.set(key, [waiting]);
      }
      await Promise.all([...groups.values()].map((group) => this.proposeGroup(group)));
    }
    this.inFlight = false;
  }

  private async proposeGroup(group: Waiting[]): Promise<void> {
    const command = joined(group.map((waiting) => waiting.command));
    if (command.type === 'mark_stale') this.stats.markEntries++;
    let result: ClusterResult;
    try {
      result = await this.map.propose(command);
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
      return;
    }
    if (result.ok || group.length === 1) {
      for (const waiting of group) waiting.resolve(result);
      return;
    }
    // Refused whole: each update's marks alone, so that only the refused ones fail.
    await Promise.all(group.map((waiting) => this.proposeGroup([waiting])));
  }
}

/** One command carrying every command's marks, or every command's stripes (one type per group). */
function joined(commands: readonly MarkCommand[]): MarkCommand {
  const first = commands[0]!;
  if (commands.length === 1) return first;
  if (first.type === 'mark_stale')
    return {
      ...first,
      marks: commands.flatMap((command) => (command.type === 'mark_stale' ? command.marks : [])),
    };
  return {
    ...first,
    stripes: commands.flatMap((command) =>
      command.type === 'clear_node_mark' ? command.stripes : [],
    ),
  };
}
