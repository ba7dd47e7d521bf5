// Proves the real driver end to end: a three-member group in one process, each member on its own
// segment log on disk, commits concurrent proposals with their machine results, and a member
// restarted from its directory comes back with every entry it acknowledged.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { encodeKvCommand } from '../../consensus/index.js';
import { LocalGroup } from '../../node/raft/local-group.js';
import { NotLeaderError } from '../../node/raft/raft-driver.js';
import { SegmentLog } from '../../node/raft/segment-log.js';

describe('the Raft driver on real disks', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-raft-driver-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('commits concurrent proposals in a three-member group and keeps them across a restart', async () => {
    const group = await LocalGroup.start({ dir, members: 3 });
    try {
      await group.elect(1);
      const leader = group.driver(1);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          leader.propose(
            encodeKvCommand({ op: 'cas', key: `k${i % 10}`, expect: null, value: `v${i}` }),
          ),
        ),
      );
      // The first cas on each key finds it absent; the nine after it do not.
      expect(results.filter((r) => r.result?.op === 'cas' && r.result.ok)).to.have.length(10);
      expect(new Set(results.map((r) => r.index)).size).to.equal(100);
      const error = await group
        .driver(2)
        .propose(encodeKvCommand({ op: 'put', key: 'a', value: 'b' }))
        .catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(NotLeaderError);
      expect(error).to.have.property('leader', 1);
      // Heartbeats carry the commit index to every member.
      while ([1, 2, 3].some((id) => group.driver(id).status().applied < 101)) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await group.stop();
    }
    for (const id of [1, 2, 3]) {
      const log = await SegmentLog.open(join(dir, `member-${id}`));
      expect(log.state.entries.length, `member ${id}`).to.be.at.least(101); // no-op + 100
      expect(log.state.hardState.term).to.equal(1);
      await log.close();
    }
  });
});
