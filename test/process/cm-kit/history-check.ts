/**
 * The checker of a process test's history (workload.ts), word by word, with the rules of the CM
 * simulator's checker (simulations/cm/cm-checker.ts):
 *
 * - a word read holds 0 or the id of a write that covered it, and never a write the SDK reported
 *   as not applied (failed);
 * - no acknowledged write is lost: a read that started after write A was acknowledged returns A
 *   or a write not ordered before A;
 * - reads never go back: a read returns nothing ordered before a value that a read which ended
 *   before it started returned;
 * - the versions agree with real time: when acknowledged write A finished before acknowledged
 *   write B was issued, B's version of every block both touched is newer than A's.
 *
 * "X is ordered before Y" holds when X finished (acknowledged, failed or given up with an unknown
 * outcome) before Y was issued, or when both were acknowledged and X's version of the word's block
 * is older. Writes that overlap in time and are not both acknowledged are not ordered: either may
 * be the final value. (A write given up as unknown, and stamped by a CM only after a later write
 * was issued, would show as "lost". The rule assumes that a CM does not stamp a request after its
 * caller has had its answer; a request still queued when its call timed out could break that,
 * and the call records of the chaos test say whether any call ended that way.)
 */
import { compareVersions } from '../../../node/store/version.js';
import { WORD_BYTES, type History, type ReadRecord, type WriteRecord } from './workload.js';

/** The rules above over every read of `history` and the final reads; returns the violations. */
export function checkHistory(
  history: History,
  finalReads: readonly ReadRecord[],
  blockBytes: number,
): string[] {
  const violations: string[] = [];
  const wordsPerBlock = blockBytes / WORD_BYTES;
  const writes = history.writes;
  const covering = new Map<number, WriteRecord[]>();
  for (const write of writes.values()) {
    const first = write.offset / WORD_BYTES;
    for (let word = first; word < first + write.length / WORD_BYTES; word++) {
      let list = covering.get(word);
      if (!list) covering.set(word, (list = []));
      list.push(write);
    }
  }
  const before = (word: number, x: number, y: number): boolean => {
    if (x === y) return false;
    if (x === 0) return true;
    if (y === 0) return false;
    const a = writes.get(x)!;
    const b = writes.get(y)!;
    if (a.finishedAtMs < b.issuedAtMs) return true;
    if (a.outcome === 'acked' && b.outcome === 'acked') {
      const block = Math.floor(word / wordsPerBlock);
      return compareVersions(a.versions.get(block)!, b.versions.get(block)!) < 0;
    }
    return false;
  };
  const describe = (id: number): string => {
    if (id === 0) return 'nothing (0)';
    const write = writes.get(id);
    if (!write) return `${id} (no such write)`;
    const versions = [...write.versions]
      .map(([block, version]) => `b${block}@${version.epoch}.${version.seq}`)
      .join(' ');
    return `write ${id} (${write.writer}, ${write.outcome}${write.error ? ` ${write.error}` : ''}, [${write.offset}, ${write.offset + write.length}), ${write.issuedAtMs.toFixed(0)}..${write.finishedAtMs.toFixed(0)} ms${versions ? `, ${versions}` : ''})`;
  };

  const observed = new Map<number, { value: number; endedAtMs: number }[]>();
  const reads = [...history.reads].sort((a, b) => a.startedAtMs - b.startedAtMs);
  for (const read of [...reads, ...finalReads]) {
    const firstWord = read.offset / WORD_BYTES;
    read.words.forEach((value, at) => {
      const word = firstWord + at;
      const where = `word ${word} (byte ${word * WORD_BYTES}, block ${Math.floor(word / wordsPerBlock)}) read by ${read.reader} at ${read.startedAtMs.toFixed(0)}..${read.endedAtMs.toFixed(0)} ms`;
      const found = problem(word, value, read);
      if (found) violations.push(`${where}: ${found}`);
      else {
        let list = observed.get(word);
        if (!list) observed.set(word, (list = []));
        list.push({ value, endedAtMs: read.endedAtMs });
      }
    });
  }

  function problem(word: number, value: number, read: ReadRecord): string | null {
    const writer = value === 0 ? undefined : writes.get(value);
    const wordOffset = word * WORD_BYTES;
    if (
      value !== 0 &&
      (!writer || writer.offset > wordOffset || writer.offset + writer.length <= wordOffset)
    )
      return `holds ${value}, which no write put there`;
    if (writer?.outcome === 'failed') return `holds ${describe(value)}, reported as not applied`;
    for (const acked of covering.get(word) ?? []) {
      if (
        acked.outcome === 'acked' &&
        acked.finishedAtMs < read.startedAtMs &&
        before(word, value, acked.id)
      )
        return `holds ${describe(value)}, but ${describe(acked.id)} was acknowledged before the read began and is ordered after it (lost)`;
    }
    for (const earlier of observed.get(word) ?? []) {
      if (earlier.endedAtMs < read.startedAtMs && before(word, value, earlier.value))
        return `holds ${describe(value)}, ordered before ${describe(earlier.value)}, which an earlier read returned (rolled back)`;
    }
    return null;
  }

  violations.push(...checkVersionOrder(history));
  return violations;
}

/** Acknowledged writes ordered in real time have increasing versions on every shared block. */
function checkVersionOrder(history: History): string[] {
  const violations: string[] = [];
  const byBlock = new Map<number, WriteRecord[]>();
  for (const write of history.writes.values()) {
    if (write.outcome !== 'acked') continue;
    for (const block of write.versions.keys()) {
      let list = byBlock.get(block);
      if (!list) byBlock.set(block, (list = []));
      list.push(write);
    }
  }
  for (const [block, list] of byBlock) {
    for (const a of list)
      for (const b of list) {
        if (a.finishedAtMs >= b.issuedAtMs) continue;
        const va = a.versions.get(block)!;
        const vb = b.versions.get(block)!;
        if (compareVersions(va, vb) >= 0)
          violations.push(
            `block ${block}: write ${a.id} was acknowledged at version ${va.epoch}.${va.seq} before write ${b.id} was issued, which was acknowledged at ${vb.epoch}.${vb.seq}`,
          );
      }
  }
  return violations;
}
