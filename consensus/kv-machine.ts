/**
 * A small key-value state machine with compare-and-set, for tests and the simulator: put, get
 * (through the log, when wanted) and cas. Its commands and results are JSON; its snapshot is the
 * sorted map, so equal states give equal bytes.
 */
import type { StateMachine } from './state-machine.js';

/** A key-value command. `cas` writes `value` only when the key holds `expect` (null: absent). */
export type KvCommand =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'get'; readonly key: string }
  | {
      readonly op: 'cas';
      readonly key: string;
      readonly expect: string | null;
      readonly value: string;
    };

/** The result of a command: the value read (get), or whether the swap happened (cas). */
export type KvResult =
  | { readonly op: 'put' }
  | { readonly op: 'get'; readonly value: string | null }
  | { readonly op: 'cas'; readonly ok: boolean };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The bytes of a command, as proposed to Raft. */
export function encodeKvCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

/** Decodes a command; undefined for bytes that are not one (such as a leader's empty no-op). */
export function decodeKvCommand(data: Uint8Array): KvCommand | undefined {
  if (data.length === 0) return undefined;
  const value: unknown = JSON.parse(decoder.decode(data));
  if (typeof value !== 'object' || value === null || !('op' in value) || !('key' in value))
    return undefined;
  if (typeof value.key !== 'string') return undefined;
  const key = value.key;
  if (value.op === 'get') return { op: 'get', key };
  if (!('value' in value) || typeof value.value !== 'string') return undefined;
  if (value.op === 'put') return { op: 'put', key, value: value.value };
  if (
    value.op === 'cas' &&
    'expect' in value &&
    (value.expect === null || typeof value.expect === 'string')
  ) {
    return { op: 'cas', key, expect: value.expect, value: value.value };
  }
  return undefined;
}

/** The key-value machine. */
export class KvMachine implements StateMachine<KvResult | undefined> {
  private readonly values = new Map<string, string>();

  /** Applies a command; bytes that are not a command (a no-op) change nothing. */
  apply(_index: number, data: Uint8Array): KvResult | undefined {
    const command = decodeKvCommand(data);
    if (command === undefined) return undefined;
    switch (command.op) {
      case 'get':
        return { op: 'get', value: this.values.get(command.key) ?? null };
      case 'put':
        this.set(command.key, command.value);
        return { op: 'put' };
      case 'cas': {
        const ok = (this.values.get(command.key) ?? null) === command.expect;
        if (ok) this.set(command.key, command.value);
        return { op: 'cas', ok };
      }
    }
  }

  /** The value of `key` now (for ReadIndex reads served after the read index is applied). */
  read(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  snapshot(): Uint8Array {
    const sorted = [...this.values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return encoder.encode(JSON.stringify(sorted));
  }

  restore(data: Uint8Array): void {
    const pairs: unknown = JSON.parse(decoder.decode(data));
    if (!Array.isArray(pairs)) throw new TypeError('a key-value snapshot is an array of pairs');
    this.values.clear();
    for (const pair of pairs as unknown[]) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        throw new TypeError('a key-value snapshot pair is [string, string]');
      }
      this.values.set(pair[0], pair[1]);
    }
  }

  /** A hash of the snapshot bytes: a function of the state alone. */
  digest(): string {
    return `${this.values.size}:${fnv(decoder.decode(this.snapshot())).toString(16)}`;
  }

  private set(key: string, value: string): void {
    this.values.set(key, value);
  }
}

function fnv(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
