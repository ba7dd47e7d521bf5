/**
 * Paused processes on a simulated clock (a long garbage collection, a stopped VM): while a
 * process is paused it handles nothing; what came due meanwhile runs when it resumes, each late
 * timer once. Its clock does not stop, so a Raft leader that resumes finds its read lease run out.
 */
import type { Scheduler } from './scheduler.js';

export class Pauses<Id> {
  private readonly until = new Map<Id, number>();

  constructor(private readonly scheduler: Scheduler) {}

  /** Pauses `id` for `ms` from now (a pause already running is extended, not shortened). */
  pause(id: Id, ms: number): void {
    this.until.set(id, Math.max(this.until.get(id) ?? 0, this.scheduler.nowMs + ms));
  }

  /** How much longer `id` stays paused (0: it runs). */
  leftMs(id: Id): number {
    return Math.max(0, (this.until.get(id) ?? 0) - this.scheduler.nowMs);
  }

  /** Runs `action` now, or when `id` resumes if it is paused. */
  whenRunning(id: Id, action: () => void): void {
    const left = this.leftMs(id);
    if (left > 0) this.scheduler.after(left, () => this.whenRunning(id, action));
    else action();
  }
}
