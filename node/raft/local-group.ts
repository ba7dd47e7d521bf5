/**
 * A Raft group of N members in one process, each with its own durable segment log in its own
 * directory, talking through an in-process network (messages delivered in a batch on the next
 * turn of the event loop) and ticking on a real timer. For benchmarks and driver tests; the
 * cluster's nodes run one member each.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import {
  KvMachine,
  type KvResult,
  type Message,
  type NodeId,
  type RaftOptions,
} from '../../consensus/index.js';
import { RaftDriver } from './raft-driver.js';
import { SegmentLog } from './segment-log.js';

/** Where the members keep their logs, how many there are, and how they tick. */
export interface LocalGroupOptions {
  readonly dir: string;
  readonly members: number;
  /** Real milliseconds per tick. */
  readonly tickMs?: number;
  readonly raft?: Partial<Omit<RaftOptions, 'id' | 'bootstrap' | 'durable' | 'random'>>;
  readonly snapshotEvery?: number;
  /** Reads under a leader lease, on this clock (RaftDriverOptions.lease). */
  readonly lease?: { readonly nowMs: () => number; readonly durationMs: number };
}

/** The members, their logs, the in-process network and the tick timer. */
export class LocalGroup {
  readonly drivers = new Map<NodeId, RaftDriver<KvResult | undefined>>();
  readonly logs = new Map<NodeId, SegmentLog>();
  private outbox: Message[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(private readonly options: LocalGroupOptions) {}

  /** Opens every member's log (recovering what is there) and starts the clock. */
  static async start(options: LocalGroupOptions): Promise<LocalGroup> {
    const group = new LocalGroup(options);
    const voters = Array.from({ length: options.members }, (_, i) => i + 1);
    for (const id of voters) {
      const log = await SegmentLog.open(join(options.dir, `member-${id}`));
      group.logs.set(id, log);
      group.drivers.set(
        id,
        new RaftDriver({
          raft: {
            electionTimeoutTicks: 10,
            heartbeatTicks: 2,
            ...options.raft,
            id,
            bootstrap: { voters, learners: [] },
            random: { int: (max) => randomInt(max) },
          },
          log,
          machine: new KvMachine(),
          send: (message) => group.send(message),
          ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
          ...(options.lease ? { lease: options.lease } : {}),
        }),
      );
    }
    group.timer = setInterval(() => {
      for (const driver of group.drivers.values()) if (!group.stopped) driver.tick();
    }, options.tickMs ?? 10);
    return group;
  }

  driver(id: NodeId): RaftDriver<KvResult | undefined> {
    const driver = this.drivers.get(id);
    if (driver === undefined) throw new RangeError(`no member ${id}`);
    return driver;
  }

  /** Makes `id` campaign and waits until it leads. */
  async elect(id: NodeId, timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.driver(id).status().role !== 'leader') {
      if (performance.now() > deadline) throw new Error(`member ${id} did not become leader`);
      this.driver(id).campaign();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops the clock and closes every log after its pending writes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([...this.logs.values()].map((log) => log.close()));
  }

  private send(message: Message): void {
    if (this.stopped) return;
    this.outbox.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const batch = this.outbox;
      this.outbox = [];
      for (const queued of batch) if (!this.stopped) this.drivers.get(queued.to)?.receive(queued);
    });
  }
}
