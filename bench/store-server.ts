/**
 * The child process of bench:store's rows over the pipe: a fragment store on the segment store
 * in the directory it is given, served as a node serves it (the Fragments service and its pipe,
 * on 127.0.0.1 at a port the OS picks). Prints the gRPC address on stdout, and exits when its
 * stdin closes (the benchmark ended, or died).
 */
import { FragmentStore } from '../node/store/fragment-store.js';
import { openDatabase } from '../node/store/open-database.js';
import { serveFragments } from '../node/grpc/server.js';

const directory = process.argv[2];
if (!directory) throw new Error('usage: store-server.ts DIRECTORY');
const store = await FragmentStore.open({ db: await openDatabase('segments', directory) });
const served = await serveFragments(store, '127.0.0.1:0');
process.stdout.write(`${served.address}\n`);
process.stdin.resume();
process.stdin.on('close', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
