// Proves that a node's configuration is checked before anything starts: a good file gives the
// settings with their defaults, flags override the file, and every bad setting is a ConfigError
// naming the setting and the line of the file it came from.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadNodeConfig } from '../../node/config.js';

const GOOD = `id: n1
raftId: 1
dataDir: data/n1
region: r1
zone: r1-a
listen:
  grpc: 127.0.0.1:7001
  admin: 127.0.0.1:8001
peers:
  - { id: n1, raftId: 1, grpc: 127.0.0.1:7001 }
  - { id: n2, raftId: 2, grpc: 127.0.0.1:7002 }
  - { id: n3, raftId: 3, grpc: 127.0.0.1:7003 }
`;

describe('node: configuration', () => {
  let dir: string;
  const file = async (text: string): Promise<string> => {
    const path = join(dir, 'node.yaml');
    await writeFile(path, text);
    return path;
  };
  const failure = (action: () => unknown): ConfigError => {
    try {
      action();
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      return error as ConfigError;
    }
    return expect.fail('expected a ConfigError');
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a good file with defaults, a data directory relative to the file, and flags on top', async () => {
    const path = await file(GOOD);
    const config = loadNodeConfig(path, { weight: 2, raft: { tickMs: 50 } });
    expect(config).to.deep.include({
      id: 'n1',
      raftId: 1,
      dataDir: join(dir, 'data/n1'),
      region: 'r1',
      zone: 'r1-a',
      weight: 2,
      join: null,
    });
    expect(config.raft).to.deep.equal({
      tickMs: 50,
      electionTicks: 10,
      heartbeatTicks: 1,
      snapshotEvery: 10_000,
    });
    expect(config.peers.map((peer) => peer.raftId)).to.deep.equal([1, 2, 3]);
    expect(config.store).to.deep.equal({
      backend: 'segments',
      quotaBytes: null,
      recordCacheBytes: 32 << 20,
      retentionMs: null,
      retentionSweepMs: 60_000,
    });
    expect(config.repair).to.deep.equal({
      bandwidthBytesPerS: 64 << 20,
      scrubIntervalMs: 3_600_000,
    });
  });

  it('names the setting and its line for each bad value', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'listen:\n  grpc: 127.0.0.1:7001\n  admin: 127.0.0.1:8001',
        'listen:\n  grpc: localhost\n  admin: 127.0.0.1:8001',
        /^listen\.grpc \(.*line 7\): must be host:port, got "localhost"/,
      ],
      ['zone: r1-a', 'zone: r1-a\nwieght: 3', /^wieght \(.*line 6\): is not a setting/],
      [
        '  - { id: n3, raftId: 3, grpc: 127.0.0.1:7003 }',
        '  - { id: n3, raftId: 2, grpc: 127.0.0.1:7003 }',
        /^peers\.2\.raftId \(.*line 12\): 2 is listed twice/,
      ],
      ['raftId: 1', 'raftId: 0', /^raftId \(.*line 2\): must be an integer from 1/],
      [
        'region: r1',
        'region: r1\nstore: { backend: tape }',
        /^store\.backend \(.*line 5\): must be one of segments, leveldb, rocksdb, memory, got "tape"/,
      ],
      [
        'region: r1',
        'region: r1\nstore: { recordCacheBytes: -1 }',
        /^store\.recordCacheBytes \(.*line 5\): must be an integer from 0/,
      ],
      [
        'region: r1',
        'region: r1\nraft: { heartbeatTicks: 10 }',
        /^raft\.heartbeatTicks .*must be below raft\.electionTicks/,
      ],
      ['raftId: 1', 'raftId: 5', /^raftId .*is 5 but peers lists n1 with raftId 1/],
    ];
    for (const [from, to, message] of cases) {
      const path = await file(GOOD.replace(from, to));
      expect(failure(() => loadNodeConfig(path)).message, to).to.match(message);
    }
  });

  it('refuses a file that is not YAML, one that is missing, and a node with neither peers nor join', async () => {
    expect(failure(() => loadNodeConfig(join(dir, 'missing.yaml'))).message).to.match(
      /missing\.yaml: cannot be read \(ENOENT\)/,
    );
    const broken = await file('id: n1\n  bad: [indent\n');
    expect(failure(() => loadNodeConfig(broken)).message).to.match(/node\.yaml: line \d+:/);
    const alone = await file(GOOD.slice(0, GOOD.indexOf('peers:')));
    expect(failure(() => loadNodeConfig(alone)).setting).to.equal('peers');
    expect(failure(() => loadNodeConfig(undefined, { raftId: 1 })).setting).to.equal('id');
  });
});
