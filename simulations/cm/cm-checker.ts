/**
 * The invariants of a consistency-manager run, over the recorded history (cm-workload.ts) and
 * the stores themselves:
 * - a read never returns bytes no write put there, nor a write that was refused;
 * - no acknowledged write is lost: a read that starts after a write was acknowledged returns that
 *   write or one ordered after it, and so does the final read of every cell;
 * - no read of a version that is later rolled back: reads of a cell never go back in the order
 *   of writes (a value once served is never replaced by one ordered before it);
 * - after quiescence every stripe is consistent: every fragment at the version the newest parity
 *   registry names, parity equal to the encoding of the data, no stale mark left.
 * "X is ordered before Y" is known when X finished before Y was issued, or when both were
 * acknowledged and X's version of the cell's fragment is older.
 */
import { ReedSolomon } from '../../erasure/index.js';
import { stripeKey } from '../../placement/index.js';
import { fragmentNodes } from '../../node/cm/owned-stripe.js';
import { fragmentLocations } from '../../node/cluster/stripe-records.js';
import { compareVersions, sameVersion } from '../../node/store/version.js';
import { VOLUME, type CmWorld } from './cm-world.js';
import { CELL_BYTES, type History, type ReadRecord, type WriteRecord } from './cm-workload.js';

/** Checks every read in `history` and the final reads; returns the violations found. */
export function checkHistory(
  history: History,
  finalReads: readonly ReadRecord[],
  blockBytes: number,
  k: number,
): string[] {
  const violations: string[] = [];
  const cellsPerBlock = blockBytes / CELL_BYTES;
  const indexOf = (cell: number): number => Math.floor(cell / cellsPerBlock) % k;
  const writesOf = new Map<number, WriteRecord[]>();
  for (const write of history.writes.values()) {
    for (let cell = write.cell; cell < write.cell + write.cells; cell++) {
      writesOf.set(cell, [...(writesOf.get(cell) ?? []), write]);
    }
  }
  const before = (cell: number, x: number, y: number): boolean => {
    if (x === y) return false;
    if (x === 0) return true;
    if (y === 0) return false;
    const a = history.writes.get(x)!;
    const b = history.writes.get(y)!;
    if (a.finishedAtMs < b.issuedAtMs) return true;
    if (a.outcome === 'acked' && b.outcome === 'acked') {
      const index = indexOf(cell);
      return compareVersions(a.versions.get(index)!, b.versions.get(index)!) < 0;
    }
    return false;
  };
  const observed = new Map<number, { value: number; endedAtMs: number }[]>();
  const all = [...history.reads, ...finalReads];
  for (const read of all) {
    read.values.forEach((value, offset) => {
      const cell = read.cell + offset;
      const where = `cell ${cell} read at ${read.startedAtMs}..${read.endedAtMs} ms`;
      if (value === -1) return violations.push(`${where}: torn or corrupt (words disagree)`);
      const writer = value === 0 ? null : history.writes.get(value);
      if (value !== 0 && (!writer || writer.cell > cell || writer.cell + writer.cells <= cell))
        return violations.push(`${where}: holds ${value}, which no write put there`);
      if (writer?.outcome === 'failed')
        return violations.push(`${where}: holds write ${value}, which was refused`);
      for (const acked of writesOf.get(cell) ?? []) {
        if (
          acked.outcome === 'acked' &&
          acked.finishedAtMs < read.startedAtMs &&
          before(cell, value, acked.id)
        )
          return violations.push(
            `${where}: holds ${value || 'nothing'}, but write ${acked.id} was acknowledged at ${acked.finishedAtMs} ms (lost)`,
          );
      }
      for (const earlier of observed.get(cell) ?? []) {
        if (earlier.endedAtMs < read.startedAtMs && before(cell, value, earlier.value))
          return violations.push(
            `${where}: holds ${value || 'nothing'}, older than ${earlier.value} served before (rolled back after it was read)`,
          );
      }
      observed.set(cell, [...(observed.get(cell) ?? []), { value, endedAtMs: read.endedAtMs }]);
      return undefined;
    });
  }
  return violations;
}

/** Checks every written stripe's fragments on their stores after quiescence. */
export async function checkStripes(world: CmWorld, stripes: number): Promise<string[]> {
  const violations: string[] = [];
  const volume = world.volume;
  const engine = new ReedSolomon(volume.k, volume.m);
  const marks = world.map.current.marks ?? [];
  if (marks.length > 0)
    violations.push(
      `stale marks left after quiescence: ${marks.map((mark) => `${mark.stripe}/${mark.index}`).join(', ')}`,
    );
  const nodeMarks = world.map.current.nodeMarks ?? [];
  if (nodeMarks.length > 0)
    violations.push(
      `node marks left after quiescence: ${nodeMarks.map((mark) => `${mark.node} (${mark.cleared.length} stripes cleared)`).join(', ')}`,
    );
  for (let stripe = 0; stripe < stripes; stripe++) {
    const nodes = fragmentLocations(world.map.current, volume, stripe);
    const placed = fragmentNodes(world.map.current, volume, stripe);
    placed.forEach((node, index) => {
      if (node !== null && node !== nodes[index])
        violations.push(
          `${stripeKey(VOLUME, stripe)}: fragment ${index} is still on ${String(nodes[index])}, placement puts it on ${node}`,
        );
    });
    const reads = await Promise.all(
      nodes.map((node, index) =>
        world.nodes.get(node!)!.store.read({ volume: VOLUME, stripe, index }, volume.blockBytes),
      ),
    );
    const key = stripeKey(VOLUME, stripe);
    const parities = reads.slice(volume.k);
    const newest = parities.reduce((best, read) =>
      compareVersions(read.version, best.version) > 0 ? read : best,
    );
    if (newest.version.seq === 0 && newest.version.epoch === 0) continue;
    const registry = newest.registry;
    if (!registry) {
      violations.push(`${key}: its newest parity has no registry`);
      continue;
    }
    reads.forEach((read, index) => {
      if (!sameVersion(read.version, registry[index]!))
        violations.push(
          `${key}: fragment ${index} is at ${read.version.epoch}.${read.version.seq}, the registry names ${registry[index]!.epoch}.${registry[index]!.seq}`,
        );
    });
    if (!engine.verify(reads.map((read) => Uint8Array.from(read.bytes))))
      violations.push(`${key}: parity does not match the data`);
  }
  return violations;
}
