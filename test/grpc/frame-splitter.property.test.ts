// The socket pipe's framing (proto/pipe.ts, FrameSplitter): however TCP cuts the byte stream of
// length-prefixed frames into chunks, the same frames come out, in order, byte for byte, and a
// length over the limit is an error that stops it.
import { expect } from 'chai';
import fc from 'fast-check';
import { FrameSplitter } from '../../proto/pipe.js';

function framed(frames: Uint8Array[]): Buffer {
  return Buffer.concat(
    frames.flatMap((frame) => {
      const length = Buffer.alloc(4);
      length.writeUInt32LE(frame.length, 0);
      return [length, Buffer.from(frame)];
    }),
  );
}

/** `stream` cut at `cuts` (positions, any order, repeats allowed). */
function cut(stream: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((position) => position % (stream.length + 1)))].sort(
    (a, b) => a - b,
  );
  const chunks: Buffer[] = [];
  let from = 0;
  for (const position of [...at, stream.length]) {
    if (position > from) chunks.push(stream.subarray(from, position));
    from = Math.max(from, position);
  }
  return chunks;
}

describe('grpc: the frames of a socket pipe', () => {
  it('come out whole and in order however the stream is cut into chunks', () => {
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 16 }),
      fc.uint8Array({ minLength: 60_000, maxLength: 140_000 }),
    );
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (frames, cuts) => {
          const out: Buffer[] = [];
          const errors: string[] = [];
          const splitter = new FrameSplitter(
            (bytes) => out.push(Buffer.from(bytes)),
            (why) => errors.push(why),
          );
          for (const chunk of cut(framed(frames), cuts)) splitter.push(chunk);
          expect(errors).to.deep.equal([]);
          expect(out.map((bytes) => bytes.toString('hex'))).to.deep.equal(
            frames.map((bytes) => Buffer.from(bytes).toString('hex')),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a length over the limit is an error, and nothing after it is taken as a frame', () => {
    const out: Buffer[] = [];
    const errors: string[] = [];
    const splitter = new FrameSplitter(
      (bytes) => out.push(bytes),
      (why) => errors.push(why),
    );
    const huge = Buffer.alloc(4);
    huge.writeUInt32LE(0xffff_fff0, 0);
    splitter.push(Buffer.concat([framed([Buffer.from('ok')]), huge.subarray(0, 2)]));
    splitter.push(Buffer.concat([huge.subarray(2), framed([Buffer.from('after')])]));
    expect(out.map((bytes) => bytes.toString())).to.deep.equal(['ok']);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/a frame of 4294967280 bytes is over the limit/);
  });
});
