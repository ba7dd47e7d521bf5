// The write path's record cache against a model: it never holds more payload bytes than its
// budget, what it returns is exactly what was last set under the key (never a dropped one), and
// it evicts the least recently used first (property).
import { expect } from 'chai';
import fc from 'fast-check';
import { RecordCache } from '../../node/store/record-cache.js';
import type { VersionRecord } from '../../node/store/store-codec.js';

function record(bytes: number, fill: number): VersionRecord {
  return { header: {} as VersionRecord['header'], bytes: new Uint8Array(bytes).fill(fill) };
}

describe('store: record cache', () => {
  it('keeps within its budget, returns what was set last, and evicts the least recently used (property)', () => {
    const step = fc.oneof(
      fc.record({
        op: fc.constant('set' as const),
        key: fc.integer({ min: 0, max: 7 }),
        bytes: fc.integer({ min: 0, max: 40 }),
        fill: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({ op: fc.constant('get' as const), key: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ op: fc.constant('drop' as const), key: fc.integer({ min: 0, max: 7 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.array(step, { maxLength: 80 }),
        (max, steps) => {
          const cache = new RecordCache(max);
          // The model: entries in order of use, least recent first.
          let model: [string, VersionRecord][] = [];
          const size = (): number => model.reduce((sum, [, entry]) => sum + entry.bytes.length, 0);
          for (const s of steps) {
            const key = `k${s.key}`;
            if (s.op === 'set') {
              const entry = record(s.bytes, s.fill);
              cache.set(key, entry);
              model = model.filter(([k]) => k !== key);
              if (s.bytes <= max) {
                model.push([key, entry]);
                while (size() > max) model.shift();
              }
            } else if (s.op === 'drop') {
              cache.drop(key);
              model = model.filter(([k]) => k !== key);
            } else {
              const found = model.find(([k]) => k === key);
              expect(cache.get(key)).to.equal(found?.[1]);
              if (found) model = [...model.filter(([k]) => k !== key), found];
            }
            expect(cache.heldBytes).to.equal(size());
            expect(cache.heldBytes).to.be.at.most(max);
          }
        },
      ),
    );
  });
});
