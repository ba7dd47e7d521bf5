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
 */
import type { ClusterCommand, ClusterResult } from '../cluster/cluster-map-types.js';
import type { CmStats } from './cm-context.js';
import type { MapPort } from './ports.js';

type MarkCommand = Extract<ClusterCommand, { type: 'mark_stale' }>;

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

  /** The map as the CM uses it: mark_stale commands go through the batcher, the rest as they are. */
  port(): MapPort {
    return {
      current: () => this.map.current(),
      confirm: () => this.map.confirm(),
      propose: (command) =>
        command.type === 'mark_stale' ? this.propose(command) : this.map.propose(command),
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
        const key = `${waiting.command.proposer}\u0000${waiting.command.ownershipEpoch}`;
        const group = groups.get(key);
        if (group) group.push(waiting);
        else groups.set(key, [waiting]);
      }
      await Promise.all([...groups.values()].map((group) => this.proposeGroup(group)));
    }
    this.inFlight = false;
  }

  private async proposeGroup(group: Waiting[]): Promise<void> {
    const [first] = group;
    const command: MarkCommand =
      group.length === 1
        ? first!.command
        : { ...first!.command, marks: group.flatMap((waiting) => waiting.command.marks) };
    this.stats.markEntries++;
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
