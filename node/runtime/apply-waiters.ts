/**
 * Callers waiting until a state machine has applied through an index (a Raft read's index, on
 * the node that asked for it): each is released when the machine reaches its index, or rejected
 * after `maxMs` (a node cut off from the leader may not apply for a long time).
 */
export class ApplyWaiters {
  private waiting: { index: number; resolve: () => void }[] = [];

  constructor(
    /** Runs `action` after `ms` (the node's clock, real or simulated). */
    private readonly after: (ms: number, action: () => void) => void,
    private readonly maxMs: number,
    /** Who applies, for the error ("this node", "n3"). */
    private readonly who: string,
  ) {}

  /** The machine has applied through `index`: releases every caller waiting for it or less. */
  applied(index: number): void {
    const due = this.waiting.filter((waiter) => waiter.index <= index);
    if (due.length === 0) return;
    this.waiting = this.waiting.filter((waiter) => waiter.index > index);
    for (const waiter of due) waiter.resolve();
  }

  /** Resolves once the machine has applied through `index` (call only when it has not yet). */
  wait(index: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter = { index, resolve };
      this.waiting.push(waiter);
      this.after(this.maxMs, () => {
        const at = this.waiting.indexOf(waiter);
        if (at < 0) return;
        this.waiting.splice(at, 1);
        reject(new Error(`${this.who} has not applied index ${index} in ${this.maxMs} ms`));
      });
    });
  }
}
