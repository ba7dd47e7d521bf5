/**
 * The simulated clock: a queue of events ordered by simulated time, ties broken by the order in
 * which they were scheduled, so that one seed always replays the same run. Nothing in a
 * simulation happens except from here.
 */

interface Event {
  readonly atMs: number;
  readonly seq: number;
  readonly run: () => void;
}

/** The event queue and the simulated time it has reached. */
export class Scheduler {
  private heap: Event[] = [];
  private seq = 0;
  /** Simulated milliseconds since the start. */
  nowMs = 0;
  /** Events run so far. */
  steps = 0;
  /**
   * When set, picks which of the earliest `choiceWindow` due events runs next (0: the earliest),
   * instead of time order: an exploring run enumerates delivery orders through it. Time still
   * moves forward only (an event run early moves the clock to its own time).
   */
  chooser: ((candidates: number) => number) | null = null;
  choiceWindow = 3;

  /** Runs `run` after `delayMs` simulated milliseconds (0: after what is already due now). */
  after(delayMs: number, run: () => void): void {
    if (!(delayMs >= 0 && Number.isFinite(delayMs))) throw new RangeError(`bad delay ${delayMs}`);
    this.push({ atMs: this.nowMs + delayMs, seq: this.seq++, run });
  }

  /** Whether any event is waiting. */
  pending(): number {
    return this.heap.length;
  }

  /** Runs the next event; false when there is none, or when it is later than `untilMs`. */
  runNext(untilMs = Infinity): boolean {
    if (this.chooser) return this.runChosen(untilMs);
    const next = this.heap[0];
    if (next === undefined || next.atMs > untilMs) return false;
    this.pop();
    this.nowMs = next.atMs;
    this.steps += 1;
    next.run();
    return true;
  }

  private runChosen(untilMs: number): boolean {
    const ordered = [...this.heap].sort((a, b) => (before(a, b) ? -1 : 1));
    const candidates = ordered.filter((event) => event.atMs <= untilMs).slice(0, this.choiceWindow);
    if (candidates.length === 0) return false;
    const chosen = candidates[this.chooser!(candidates.length)]!;
    this.heap = [];
    for (const event of ordered) if (event !== chosen) this.push(event);
    this.nowMs = Math.max(this.nowMs, chosen.atMs);
    this.steps += 1;
    chosen.run();
    return true;
  }

  private push(event: Event): void {
    const heap = this.heap;
    heap.push(event);
    let at = heap.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(event, heap[parent] as Event)) break;
      heap[at] = heap[parent] as Event;
      at = parent;
    }
    heap[at] = event;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as Event;
    if (heap.length === 0) return;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && before(heap[right] as Event, heap[left] as Event) ? right : left;
      if (!before(heap[child] as Event, last)) break;
      heap[at] = heap[child] as Event;
      at = child;
    }
    heap[at] = last;
  }
}

function before(a: Event, b: Event): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
