// Proves that the relaxed-SIMD kernel, which this Node.js runs only behind a flag, gives the
// same bytes as the portable kernel: run in a child process that has the flag.
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';

const script = `
import { ReedSolomon, availableKernels } from './erasure/index.ts';
if (!availableKernels().includes('relaxed-simd')) { console.log('unavailable'); process.exit(0); }
let state = 7; const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
const mismatches = [];
for (const [k, m] of [[1, 1], [4, 2], [10, 4], [5, 7], [17, 3]]) {
  const fast = new ReedSolomon(k, m, { kernel: 'relaxed-simd', arenaBytes: 1 << 20 });
  const reference = new ReedSolomon(k, m, { kernel: 'portable' });
  for (const length of [0, 1, 15, 16, 17, 64, 100, 4095, 4096, 4097, 9999]) {
    const a = Array.from({ length: k + m }, (_, i) => Uint8Array.from({ length }, () => (i < k ? next() & 255 : 0)));
    const b = a.map((shard) => Uint8Array.from(shard));
    fast.encode(a); reference.encode(b);
    if (!a.every((shard, i) => Buffer.from(shard).equals(Buffer.from(b[i])))) mismatches.push('encode RS(' + k + ',' + m + ') ' + length);
    const lost = [0, k + m - 1].slice(0, m);
    const rebuilt = fast.reconstruct(a.map((shard, i) => (lost.includes(i) ? null : shard)));
    if (!rebuilt.every((shard, i) => Buffer.from(shard).equals(Buffer.from(b[i])))) mismatches.push('reconstruct RS(' + k + ',' + m + ') ' + length);
  }
}
console.log(JSON.stringify({ kernel: new ReedSolomon(2, 1).kernelName, mismatches }));
`;

describe('erasure: the relaxed-SIMD kernel', () => {
  it('agrees with the portable kernel (child process with --experimental-wasm-relaxed-simd)', () => {
    const output = execFileSync(
      process.execPath,
      ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: new URL('../..', import.meta.url),
        encoding: 'utf8',
      },
    ).trim();
    expect(output, 'relaxed SIMD should run with the flag on Node.js 20 and later').not.to.equal(
      'unavailable',
    );
    const result = JSON.parse(output) as { kernel: string; mismatches: string[] };
    expect(result.kernel).to.equal('wasm-relaxed-simd');
    expect(result.mismatches).to.deep.equal([]);
  });
});
