/**
 * A linearizability checker for histories of key-value operations, in the manner of Porcupine
 * (Athalye, 2017), after Wing & Gong and Lowe: keys are independent registers, so the history is
 * split per key and each part is searched for an order of its operations that respects real time
 * (an operation that returned before another was called comes first) and the register's rules.
 * The search lifts operations out of a linked list of call and return events, backtracks, and
 * memoizes (set of linearized operations, register value) so that it does not revisit a state.
 * An operation whose outcome is unknown (the client timed out) returns at infinity: it may take
 * effect at any time after its call, or, equivalently, never.
 */

/** One client operation on one key. */
export interface Operation {
  readonly client: number;
  readonly key: string;
  /** Simulated ms when it was issued and when its answer came (Infinity: unknown). */
  readonly callMs: number;
  readonly returnMs: number;
  readonly input:
    | { readonly op: 'put'; readonly value: string }
    | { readonly op: 'get' }
    | { readonly op: 'cas'; readonly expect: string | null; readonly value: string };
  /** What it returned: the value read, whether the swap happened, or undefined when unknown. */
  readonly output: { readonly value: string | null } | { readonly ok: boolean } | undefined;
}

/** The verdict for a whole history. */
export type Verdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly key: string; readonly operations: readonly Operation[] };

/** Checks every key's history; returns the first key that is not linearizable. */
export function checkLinearizable(history: readonly Operation[]): Verdict {
  const byKey = new Map<string, Operation[]>();
  for (const operation of history) {
    const list = byKey.get(operation.key) ?? [];
    list.push(operation);
    byKey.set(operation.key, list);
  }
  for (const [key, operations] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!checkRegister(operations)) return { ok: false, key, operations };
  }
  return { ok: true };
}

/** The register's rules: the value after `operation` from `value`, or undefined if impossible. */
function stepRegister(
  value: string | null,
  operation: Operation,
): { next: string | null } | undefined {
  const { input, output } = operation;
  switch (input.op) {
    case 'put':
      return { next: input.value };
    case 'get':
      if (output === undefined) return { next: value };
      return 'value' in output && output.value === value ? { next: value } : undefined;
    case 'cas': {
      const swaps = value === input.expect;
      if (output !== undefined && (!('ok' in output) || output.ok !== swaps)) return undefined;
      return { next: swaps ? input.value : value };
    }
  }
}

interface Event {
  readonly id: number;
  readonly isCall: boolean;
  readonly timeMs: number;
  match: Event | undefined;
  prev: Event | undefined;
  next: Event | undefined;
}

/** Wing & Gong / Lowe search with Porcupine's memoization, for one register starting absent. */
export function checkRegister(operations: readonly Operation[]): boolean {
  const head = buildEvents(operations);
  const stack: { event: Event; value: string | null }[] = [];
  const cache = new Set<string>();
  let linearized = 0n;
  let value: string | null = null;
  let entry = head.next;
  while (head.next !== undefined) {
    if (entry === undefined) return false;
    if (entry.isCall) {
      const operation = operations[entry.id] as Operation;
      const result = stepRegister(value, operation);
      if (result !== undefined) {
        const nextLinearized = linearized | (1n << BigInt(entry.id));
        const key = `${nextLinearized.toString(36)}|${result.next ?? '\u0000'}`;
        if (!cache.has(key)) {
          cache.add(key);
          stack.push({ event: entry, value });
          value = result.next;
          linearized = nextLinearized;
          lift(entry);
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
    } else {
      const top = stack.pop();
      if (top === undefined) return false;
      value = top.value;
      linearized &= ~(1n << BigInt(top.event.id));
      unlift(top.event);
      entry = top.event.next;
    }
  }
  return true;
}

function buildEvents(operations: readonly Operation[]): Event {
  const events: Event[] = [];
  operations.forEach((operation, id) => {
    const call: Event = {
      id,
      isCall: true,
      timeMs: operation.callMs,
      match: undefined,
      prev: undefined,
      next: undefined,
    };
    const ret: Event = {
      id,
      isCall: false,
      timeMs: operation.returnMs,
      match: undefined,
      prev: undefined,
      next: undefined,
    };
    call.match = ret;
    events.push(call, ret);
  });
  // Calls before returns at the same instant: such operations count as concurrent.
  events.sort((a, b) => {
    if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs ? -1 : 1;
    if (a.isCall !== b.isCall) return a.isCall ? -1 : 1;
    return a.id - b.id;
  });
  const head: Event = {
    id: -1,
    isCall: false,
    timeMs: -Infinity,
    match: undefined,
    prev: undefined,
    next: undefined,
  };
  let previous = head;
  for (const event of events) {
    previous.next = event;
    event.prev = previous;
    previous = event;
  }
  return head;
}

function lift(call: Event): void {
  const ret = call.match as Event;
  (call.prev as Event).next = call.next;
  if (call.next !== undefined) call.next.prev = call.prev;
  (ret.prev as Event).next = ret.next;
  if (ret.next !== undefined) ret.next.prev = ret.prev;
}

function unlift(call: Event): void {
  const ret = call.match as Event;
  (ret.prev as Event).next = ret;
  if (ret.next !== undefined) ret.next.prev = ret;
  (call.prev as Event).next = call;
  if (call.next !== undefined) call.next.prev = call;
}
