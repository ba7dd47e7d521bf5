// Proves the key-value machine's rules (put, get, compare-and-set on absent and present keys),
// that a snapshot restores the same state with the same digest, and that a leader's empty no-op
// changes nothing.
import { expect } from 'chai';
import { KvMachine, encodeKvCommand, type KvCommand } from '../../consensus/index.js';

const apply = (machine: KvMachine, command: KvCommand): unknown =>
  machine.apply(1, encodeKvCommand(command));

describe('the key-value machine', () => {
  it('puts, gets, and swaps only when the expected value is there', () => {
    const kv = new KvMachine();
    expect(apply(kv, { op: 'get', key: 'a' })).to.deep.equal({ op: 'get', value: null });
    expect(apply(kv, { op: 'cas', key: 'a', expect: 'x', value: 'y' })).to.deep.equal({
      op: 'cas',
      ok: false,
    });
    expect(apply(kv, { op: 'cas', key: 'a', expect: null, value: 'x' })).to.deep.equal({
      op: 'cas',
      ok: true,
    });
    expect(apply(kv, { op: 'cas', key: 'a', expect: null, value: 'z' })).to.deep.equal({
      op: 'cas',
      ok: false,
    });
    expect(apply(kv, { op: 'cas', key: 'a', expect: 'x', value: 'y' })).to.deep.equal({
      op: 'cas',
      ok: true,
    });
    apply(kv, { op: 'put', key: 'b', value: 'q' });
    expect(kv.read('a')).to.equal('y');
    expect(apply(kv, { op: 'get', key: 'b' })).to.deep.equal({ op: 'get', value: 'q' });
    expect(kv.apply(2, new Uint8Array())).to.equal(undefined);
  });

  it('restores from its snapshot to the same state and digest, whatever the insertion order', () => {
    const one = new KvMachine();
    const two = new KvMachine();
    apply(one, { op: 'put', key: 'a', value: '1' });
    apply(one, { op: 'put', key: 'b', value: '2' });
    apply(two, { op: 'put', key: 'b', value: '2' });
    apply(two, { op: 'put', key: 'a', value: '1' });
    expect(one.digest()).to.equal(two.digest());
    const restored = new KvMachine();
    restored.restore(one.snapshot());
    expect(restored.digest()).to.equal(one.digest());
    expect(restored.read('b')).to.equal('2');
    apply(two, { op: 'put', key: 'a', value: '3' });
    expect(two.digest()).to.not.equal(one.digest());
  });
});
