/**
 * Scrubbing one stripe (DESIGN.md, "Failure and recovery"): the owner reads every fragment whole,
 * which checks the CRC32C of every record it reads, checks each is at the version the settled registry names
 * and not marked stale, and, when all k + m were read, that parity is the encoding of the data.
 * A fragment that cannot be reached is not a finding (the failure detector and repair see to
 * it). The owner repairs what is found.
 */
import { fragmentId, storeOf } from './fragment-io.js';
import type { CmContext } from './cm-context.js';
import type { OwnedStripe } from './owned-stripe.js';
import { sameVersion } from '../store/version.js';

/** What scrubbing found wrong with one fragment (index -1: the stripe as a whole). */
export interface ScrubFinding {
  readonly index: number;
  readonly kind: 'checksum' | 'stale' | 'parity';
}

export async function scrubFindings(
  context: CmContext,
  stripe: OwnedStripe,
): Promise<ScrubFinding[]> {
  const { k, m, blockBytes } = stripe.volume;
  const findings: ScrubFinding[] = [];
  const shards = await Promise.all(
    stripe.nodes.map(async (_, index): Promise<Uint8Array | null> => {
      const store = storeOf(context.stores, stripe, index);
      if (!store) return null;
      try {
        const read = await store.read(fragmentId(stripe, index), blockBytes, 0, blockBytes);
        if (stripe.marks.has(index) || !sameVersion(read.version, stripe.registry[index]!)) {
          findings.push({ index, kind: 'stale' });
          return null;
        }
        return read.bytes;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'STORE_CHECKSUM')
          findings.push({ index, kind: 'checksum' });
        return null;
      }
    }),
  );
  if (
    shards.every((shard) => shard !== null) &&
    !context.engine(k, m).verify(shards.map((shard) => Uint8Array.from(shard)))
  )
    findings.push({ index: -1, kind: 'parity' });
  context.stats.scrubbedStripes += 1;
  for (const finding of findings)
    context.stats.scrubFindings[finding.kind] =
      (context.stats.scrubFindings[finding.kind] ?? 0) + 1;
  return findings.sort((a, b) => a.index - b.index);
}
