/**
 * The floor's server, run as a child process by the cluster benchmark: serves FLOOR_SERVICE (and
 * the pipe to it) on 127.0.0.1 (a port the OS picks), prints `{"port":N}` on stdout, and exits
 * when its stdin closes (the benchmark ended, or died).
 */
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS } from '../../proto/load.js';
import { addServices } from '../../proto/pipe.js';
import { EMPTY, FLOOR_SERVICE } from './floor-service.js';

const server = new grpc.Server(CHANNEL_OPTIONS);
// With the pipe beside it (proto/pipe.ts), so that Put can also be called on one stream.
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
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.stdin.resume();
process.stdin.on('close', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
