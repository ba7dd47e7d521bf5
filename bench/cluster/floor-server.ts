/**
 * The floor's server, run as a child process by the cluster benchmark: serves FLOOR_SERVICE (and
 * the pipe to it) on 127.0.0.1 (a port the OS picks), and beside it the same Put on a plain TCP
 * socket (raw-frames.ts: the peer that shows what gRPC itself costs), prints
 * `{"port":N,"rawPort":M}` on stdout, and exits when its stdin closes (the benchmark ended, or
 * died).
 */
import { createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS } from '../../proto/load.js';
import { addServices, serveSocketPipe } from '../../proto/pipe.js';
import { EMPTY, FLOOR_SERVICE } from './floor-service.js';
import { FrameReader, ackFrame } from './raw-frames.js';

const server = new grpc.Server(CHANNEL_OPTIONS);
// With the pipe beside it (proto/pipe.ts), so that Put can also be called through the pipe.
addServices(server, [
  [
    FLOOR_SERVICE,
    {
      push: (
        call: grpc.ServerReadableStream<Buffer, Buffer>,
        callback: grpc.sendUnaryData<Buffer>,
      ) => {
        let bytes = 0;
        call.on('data', (message: Buffer) => {
          bytes += message.length;
        });
        call.on('end', () => {
          const count = Buffer.alloc(8);
          count.writeBigUInt64LE(BigInt(bytes));
          callback(null, count);
        });
      },
      put: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
        callback(null, EMPTY),
    },
  ],
]);
// Each request frame is answered with an acknowledgement of its id, as Put answers EMPTY.
const raw = createServer((socket) => {
  socket.setNoDelay(true);
  const reader = new FrameReader((id) => socket.write(ackFrame(id)));
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  socket.on('error', () => socket.destroy());
});
raw.listen(0, '127.0.0.1', () => {
  const address = raw.address();
  const rawPort = typeof address === 'object' && address ? address.port : 0;
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    // The pipe's own socket too, as a node serves it: the pipe's calls go there, as nodes' do.
    void serveSocketPipe(server, '127.0.0.1').then(() =>
      process.stdout.write(`${JSON.stringify({ port, rawPort })}\n`),
    );
  });
});
process.stdin.resume();
process.stdin.on('close', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
