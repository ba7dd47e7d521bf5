// Proves the per-key linearizability checker: it accepts histories that have a legal order
// (concurrent operations in either order, unknown outcomes taking effect late or never) and
// rejects stale reads, lost writes and impossible compare-and-sets; and, as a property, accepts
// every history produced by running operations one at a time on a real register.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  checkLinearizable,
  checkRegister,
  type Operation,
} from '../../simulations/linearizability.js';

const put = (value: string, callMs: number, returnMs: number, client = 0): Operation => ({
  client,
  key: 'k',
  callMs,
  returnMs,
  input: { op: 'put', value },
  output: undefined,
});
const get = (value: string | null, callMs: number, returnMs: number, client = 1): Operation => ({
  client,
  key: 'k',
  callMs,
  returnMs,
  input: { op: 'get' },
  output: { value },
});
const cas = (
  expect: string | null,
  value: string,
  ok: boolean | undefined,
  callMs: number,
  returnMs: number,
): Operation => ({
  client: 2,
  key: 'k',
  callMs,
  returnMs,
  input: { op: 'cas', expect, value },
  output: ok === undefined ? undefined : { ok },
});

describe('the linearizability checker', () => {
  it('accepts a sequential history and concurrent operations in either order', () => {
    expect(checkRegister([put('a', 0, 1), get('a', 2, 3)])).to.equal(true);
    expect(checkRegister([put('a', 0, 10), get(null, 1, 2)])).to.equal(true); // read before the put took effect
    expect(checkRegister([put('a', 0, 10), get('a', 1, 2)])).to.equal(true); // …or after
  });

  it('rejects a stale read and a lost acknowledged write', () => {
    expect(checkRegister([put('a', 0, 1), get(null, 2, 3)])).to.equal(false);
    expect(checkRegister([put('a', 0, 1), put('b', 2, 3), get('a', 4, 5)])).to.equal(false);
  });

  it('treats an unknown outcome as taking effect at any later time, or never', () => {
    const unknown = put('b', 0, Infinity);
    expect(checkRegister([put('a', 0, 1), unknown, get('a', 5, 6), get('b', 7, 8)])).to.equal(true);
    expect(checkRegister([put('a', 0, 1), unknown, get('a', 5, 6)])).to.equal(true);
    expect(checkRegister([put('a', 0, 1), unknown, get('b', 5, 6), get('a', 7, 8)])).to.equal(
      false,
    );
  });

  it('checks compare-and-set against the value it must have seen', () => {
    expect(checkRegister([put('a', 0, 1), cas('a', 'b', true, 2, 3), get('b', 4, 5)])).to.equal(
      true,
    );
    expect(checkRegister([put('a', 0, 1), cas('x', 'b', true, 2, 3)])).to.equal(false);
    expect(checkRegister([put('a', 0, 1), cas('a', 'b', false, 2, 3)])).to.equal(false);
    expect(checkRegister([cas(null, 'b', true, 0, 1), get('b', 2, 3)])).to.equal(true);
  });

  it('checks keys independently and names the one that fails', () => {
    const other = { ...put('z', 0, 1), key: 'j' };
    const verdict = checkLinearizable([other, put('a', 0, 1), get(null, 2, 3)]);
    expect(verdict.ok).to.equal(false);
    expect(verdict.ok ? '' : verdict.key).to.equal('k');
  });

  it('accepts every history of a real register whose operations overlap in time (property)', () => {
    const command = fc.oneof(
      fc.record({ op: fc.constant('put' as const), value: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ op: fc.constant('get' as const) }),
      fc.record({
        op: fc.constant('cas' as const),
        expect: fc.constantFrom(null, 'a', 'b'),
        value: fc.constantFrom('a', 'b', 'c'),
      }),
    );
    const slack = fc.tuple(fc.nat(25), fc.nat(25));
    fc.assert(
      fc.property(fc.array(fc.tuple(command, slack), { maxLength: 40 }), (commands) => {
        // Each operation takes effect at 10·i, somewhere inside its [call, return] interval,
        // which may overlap its neighbours': whatever order the checker tries, one order works.
        let value: string | null = null;
        const history: Operation[] = commands.map(([input, [before, after]], i) => {
          const timing = { client: i, key: 'k', callMs: 10 * i - before, returnMs: 10 * i + after };
          if (input.op === 'put') {
            value = input.value;
            return { ...timing, input, output: undefined };
          }
          if (input.op === 'get') return { ...timing, input, output: { value } };
          const ok = value === input.expect;
          if (ok) value = input.value;
          return { ...timing, input, output: { ok } };
        });
        return checkRegister(history);
      }),
      { seed: 4, numRuns: 200 },
    );
  });

  it('rejects a real register history once one read is made stale (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 2, maxLength: 30 }),
        (values) => {
          const history: Operation[] = values.map((value, i) =>
            put(`${value}${i}`, 4 * i, 4 * i + 1),
          );
          // A read after the last put that returns the value before it.
          const last = values.length - 1;
          history.push(
            get(`${values[last - 1] ?? ''}${last - 1}`, 4 * values.length, 4 * values.length + 1),
          );
          return !checkRegister(history);
        },
      ),
      { seed: 5, numRuns: 100 },
    );
  });
});
