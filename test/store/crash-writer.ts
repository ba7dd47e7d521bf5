// A child process for the crash test: writes fragments to a store on the backend named by its
// second argument, with 8 writes in flight, and prints "ack <stripe>" once each write's promise
// resolved (durable), until killed.
import { FragmentStore } from '../../node/store/fragment-store.js';
import { openDatabase, type StoreBackend } from '../../node/store/open-database.js';
import { VERSION_ZERO } from '../../node/store/version.js';
import { BLOCK, dataWrite, filled, v } from './store-fixtures.js';

const dir = process.argv[2]!;
const db = await openDatabase(process.argv[3] as StoreBackend, dir);
const store = await FragmentStore.open({ db });
let next = 0;
async function worker(): Promise<void> {
  for (;;) {
    const stripe = next++;
    const outcome = await store.writeData(
      dataWrite(
        { volume: 'crash', stripe, index: 0 },
        VERSION_ZERO,
        v(1, 1),
        0,
        filled(BLOCK, stripe % 251),
      ),
    );
    if (!outcome.ok) throw new Error(`write ${stripe} refused: ${outcome.reason}`);
    process.stdout.write(`ack ${stripe}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
