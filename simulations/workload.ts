/**
 * Simulated clients of the key-value machine: each issues one operation at a time (put, cas or
 * a ReadIndex get) to the member it believes leads, and records it in a history for the
 * linearizability checker. A refused proposal did not happen and is not recorded; an operation
 * that gets no answer in time is recorded with an unknown outcome. Every acknowledged write is
 * checked at once against the entries known committed: an acknowledged write is never lost.
 */
import type { NodeId, SeededRandom } from '../consensus/index.js';
import type { Cluster } from './cluster.js';
import { InvariantViolation } from './invariants.js';
import type { Operation } from './linearizability.js';

/** How many clients, on how many keys, with what patience and pauses. */
export interface WorkloadOptions {
  readonly clients: number;
  readonly keys: number;
  /** A client gives up waiting after this long; the outcome is then unknown. */
  readonly timeoutMs: number;
  readonly thinkMs: readonly [number, number];
}

/** What the clients did, for the summary. */
export interface OperationCounts {
  issued: number;
  acknowledgedWrites: number;
  reads: number;
  failedCas: number;
  unknown: number;
  refused: number;
}

/** The simulated clients and the history they record. */
export class Workload {
  readonly history: Operation[] = [];
  readonly counts: OperationCounts = {
    issued: 0,
    acknowledgedWrites: 0,
    reads: 0,
    failedCas: 0,
    unknown: 0,
    refused: 0,
  };
  private running = false;
  private outstanding = 0;
  private readonly leaderGuess = new Map<number, NodeId>();
  private sequence = 0;
  /** The last value each key was seen to hold, so that cas sometimes expects the truth. */
  private readonly lastSeen = new Map<string, string | null>();

  constructor(
    private readonly cluster: Cluster,
    private readonly random: SeededRandom,
    private readonly options: WorkloadOptions,
  ) {}

  start(): void {
    this.running = true;
    for (let client = 0; client < this.options.clients; client += 1) this.later(client);
  }

  /** No new operations; those in flight finish or time out. */
  stop(): void {
    this.running = false;
  }

  /** Operations issued and not yet answered or timed out. */
  inFlight(): number {
    return this.outstanding;
  }

  private later(client: number): void {
    const [low, high] = this.options.thinkMs;
    this.cluster.scheduler.after(low + this.random.float() * (high - low), () =>
      this.issue(client),
    );
  }

  private pickNode(client: number): NodeId | undefined {
    const guess = this.leaderGuess.get(client);
    if (guess !== undefined && this.cluster.nodes.get(guess)?.up === true) return guess;
    const up = [...this.cluster.nodes.values()].filter((node) => node.up).map((node) => node.id);
    return up[this.random.int(Math.max(1, up.length))];
  }

  private issue(client: number): void {
    if (!this.running) return;
    const target = this.pickNode(client);
    if (target === undefined) {
      this.later(client);
      return;
    }
    const node = this.cluster.node(target);
    const key = `k${this.random.int(this.options.keys)}`;
    const value = `c${client}.${++this.sequence}`;
    const roll = this.random.int(10);
    const callMs = this.cluster.scheduler.nowMs;
    let finished = false;
    const finish = (operation: Operation | undefined): void => {
      if (finished) return;
      finished = true;
      this.outstanding -= 1;
      if (operation !== undefined) this.history.push(operation);
      this.later(client);
    };
    const base = { client, key, callMs };
    const input = this.chooseInput(key, roll, value);
    // A paused member takes the call when it resumes (the request waits in its socket).
    const invoke = (): void => {
      let outcome;
      if (input.op === 'get') {
        outcome = node.read(key, (read) => {
          this.counts.reads += 1;
          this.lastSeen.set(key, read);
          finish({
            ...base,
            returnMs: this.cluster.scheduler.nowMs,
            input,
            output: { value: read },
          });
        });
      } else {
        outcome = node.proposeCommand({ ...input, key }, (answer) => {
          if (!answer.ok) {
            finish(undefined); // overwritten before commit: it never happened
            return;
          }
          const committed = this.cluster.invariants.committedAt(answer.index);
          if (committed?.term !== answer.term) {
            throw new InvariantViolation(
              `write acknowledged at ${answer.index}/${answer.term} is not the committed entry`,
            );
          }
          this.counts.acknowledgedWrites += 1;
          const output = answer.result?.op === 'cas' ? { ok: answer.result.ok } : undefined;
          if (output?.ok === false) this.counts.failedCas += 1;
          else this.lastSeen.set(key, input.value);
          finish({ ...base, returnMs: this.cluster.scheduler.nowMs, input, output });
        });
      }
      if (outcome?.ok !== true) {
        this.counts.refused += 1;
        const hint = outcome?.ok === false ? outcome.leader : 0;
        if (hint !== 0) this.leaderGuess.set(client, hint);
        else this.leaderGuess.delete(client);
        finished = true;
        this.later(client);
        return;
      }
      this.counts.issued += 1;
      this.outstanding += 1;
      this.cluster.scheduler.after(this.options.timeoutMs, () => {
        if (finished) return;
        this.counts.unknown += 1;
        // A read with no answer had no effect; a write may have happened, at any later time.
        finish(
          input.op === 'get'
            ? undefined
            : { ...base, returnMs: Infinity, input, output: undefined },
        );
      });
    };
    this.cluster.whenRunning(target, invoke);
  }

  private chooseInput(key: string, roll: number, value: string): Operation['input'] {
    if (roll < 3) return { op: 'get' };
    if (roll < 6) return { op: 'put', value };
    const expect = this.random.chance(0.3) ? null : (this.lastSeen.get(key) ?? null);
    return { op: 'cas', expect, value };
  }
}
