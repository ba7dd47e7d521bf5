/**
 * Group commit: every batch that arrives while an fsynced write is running goes into the next
 * one, so one fsync covers them all. A caller's promise resolves only once its operations are
 * on disk; if the write fails, every caller in that group is told (none is acknowledged).
 */
import type { BatchOperation, Level } from './level.js';

export type { BatchOperation };

interface Pending {
  operations: BatchOperation[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Operations in one group at most, so that a flood cannot build an unbounded batch. */
const GROUP_OPERATIONS_MAX = 4096;

export class GroupCommitter {
  private queue: Pending[] = [];
  private flushing = false;
  /** Groups written, and batches that rode along in them: for metrics and the benchmark. */
  groups = 0;
  batches = 0;

  constructor(
    private readonly db: Level,
    private readonly sync: boolean,
  ) {}

  commit(operations: BatchOperation[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ operations, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const group: Pending[] = [];
      let count = 0;
      while (
        this.queue.length > 0 &&
        (group.length === 0 || count + this.queue[0]!.operations.length <= GROUP_OPERATIONS_MAX)
      ) {
        const next = this.queue.shift()!;
        count += next.operations.length;
        group.push(next);
      }
      try {
        // `sync`: fsync (LevelDB's log, the segment store's file) before resolving.
        await this.db.batch(
          group.flatMap((pending) => pending.operations),
          { sync: this.sync },
        );
        this.groups++;
        this.batches += group.length;
        for (const pending of group) pending.resolve();
      } catch (error) {
        for (const pending of group) pending.reject(error);
      }
    }
    this.flushing = false;
  }
}
