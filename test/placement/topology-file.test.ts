// Proves that topology files (YAML or JSON) are read exactly, and that every mistake is refused
// with a typed error whose code is stable and whose message names the path and the line.
import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import {
  parseTopology,
  TopologyDuplicateIdError,
  TopologyEmptyError,
  TopologyError,
  TopologyMissingKeyError,
  TopologySyntaxError,
  TopologyUnknownKeyError,
  TopologyValueError,
  type Topology,
} from '../../placement/index.js';

function fixture(name: string): string {
  return readFileSync(
    fileURLToPath(new URL(`../fixtures/placement/${name}`, import.meta.url)),
    'utf8',
  );
}

function refusal(text: string): TopologyError {
  try {
    parseTopology(text);
  } catch (error) {
    if (error instanceof TopologyError) return error;
    throw error;
  }
  throw new Error('the topology was accepted');
}

describe('topology files', () => {
  it('reads a YAML topology: version, regions, zones, nodes, weights and states', () => {
    const topology = parseTopology(fixture('three-regions.yaml'));
    expect(topology.version).to.equal(7);
    expect(topology.regions.map((region) => region.id)).to.deep.equal([
      'eu-west',
      'us-east',
      'ap-south',
    ]);
    const zone = topology.regions[0]?.zones[0];
    expect(zone?.id).to.equal('eu-west-a');
    expect(zone?.nodes).to.deep.equal([
      { id: 'euw-a1', weight: 4, state: 'up' },
      { id: 'euw-a2', weight: 4, state: 'down' },
    ]);
    expect(topology.regions[1]?.zones[1]?.nodes[1]?.state).to.equal('draining');
  });

  it('reads the same model from JSON', () => {
    const topology = parseTopology(fixture('three-regions.json'));
    expect(topology.version).to.equal(7);
    expect(
      topology.regions.flatMap((region) =>
        region.zones.flatMap((zone) => zone.nodes.map((node) => node.id)),
      ),
    ).to.deep.equal(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
  });

  it('refuses a duplicate node id, naming both places and the line', () => {
    const error = refusal(fixture('bad-duplicate-node.yaml'));
    expect(error).to.be.instanceOf(TopologyDuplicateIdError);
    expect(error.code).to.equal('TOPOLOGY_DUPLICATE_ID');
    expect(error.line).to.equal(11);
    expect(error.path).to.equal('regions[0].zones[1].nodes[1].id');
    expect(error.message).to.contain('"n1"').and.contain('regions[0].zones[0].nodes[0].id, line 7');
  });

  it('refuses duplicate region and zone ids as well', () => {
    const zones = refusal(
      'version: 1\nregions:\n  - id: a\n    zones:\n      - { id: z, nodes: [{ id: n1, weight: 1 }] }\n' +
        '  - id: b\n    zones:\n      - { id: z, nodes: [{ id: n2, weight: 1 }] }\n',
    );
    expect([zones.code, zones.path, zones.line]).to.deep.equal([
      'TOPOLOGY_DUPLICATE_ID',
      'regions[1].zones[0].id',
      8,
    ]);
    const regions = refusal(
      'version: 1\nregions:\n  - id: a\n    zones: [{ id: z1, nodes: [{ id: n1, weight: 1 }] }]\n' +
        '  - id: a\n    zones: [{ id: z2, nodes: [{ id: n2, weight: 1 }] }]\n',
    );
    expect([regions.code, regions.path, regions.line]).to.deep.equal([
      'TOPOLOGY_DUPLICATE_ID',
      'regions[1].id',
      5,
    ]);
  });

  it('refuses a negative weight at its line', () => {
    const error = refusal(fixture('bad-negative-weight.yaml'));
    expect(error).to.be.instanceOf(TopologyValueError);
    expect(error.code).to.equal('TOPOLOGY_BAD_VALUE');
    expect(error.line).to.equal(10);
    expect(error.path).to.equal('regions[0].zones[0].nodes[1].weight');
    expect(error.message).to.match(
      /^line 10: .*node n2: weight must be a finite number >= 0, got -3/,
    );
  });

  it('refuses an empty region', () => {
    const error = refusal(fixture('bad-empty-region.yaml'));
    expect(error).to.be.instanceOf(TopologyEmptyError);
    expect(error.code).to.equal('TOPOLOGY_EMPTY');
    expect([error.path, error.line]).to.deep.equal(['regions[1].zones', 9]);
    expect(error.message).to.contain('region us has no zones');
  });

  it('refuses an unknown key in YAML and in JSON, at its line', () => {
    const yamlError = refusal(fixture('bad-unknown-key.yaml'));
    expect(yamlError).to.be.instanceOf(TopologyUnknownKeyError);
    expect([yamlError.code, yamlError.path, yamlError.line]).to.deep.equal([
      'TOPOLOGY_UNKNOWN_KEY',
      'regions[0].zones[0].nodes[0].capacity',
      9,
    ]);
    const jsonError = refusal(fixture('bad-unknown-key.json'));
    expect([jsonError.code, jsonError.path, jsonError.line]).to.deep.equal([
      'TOPOLOGY_UNKNOWN_KEY',
      'regions[0].label',
      7,
    ]);
  });

  it('refuses missing keys, wrong types, unknown states and repeated keys with their own codes', () => {
    const cases: [string, new (...args: never[]) => TopologyError, string][] = [
      ['regions: []\n', TopologyMissingKeyError, 'version'],
      ['version: 1\nregions: []\n', TopologyEmptyError, 'regions'],
      ['version: -1\nregions: []\n', TopologyValueError, 'version'],
      ['version: 1.5\nregions: []\n', TopologyValueError, 'version'],
      ['version: 1\nregions: {}\n', TopologyValueError, 'regions'],
      [
        'version: 1\nregions:\n  - id: r\n    zones:\n      - id: z\n        nodes:\n          - { id: n, weight: "3" }\n',
        TopologyValueError,
        'regions[0].zones[0].nodes[0].weight',
      ],
      [
        'version: 1\nregions:\n  - id: r\n    zones:\n      - id: z\n        nodes:\n          - { id: n, weight: 1, state: sleeping }\n',
        TopologyValueError,
        'regions[0].zones[0].nodes[0].state',
      ],
      [
        'version: 1\nregions:\n  - id: r\n    zones:\n      - id: z\n        nodes:\n          - { id: n }\n',
        TopologyMissingKeyError,
        'regions[0].zones[0].nodes[0].weight',
      ],
      [
        'version: 1\nregions:\n  - id: r\n    zones:\n      - id: z\n        nodes:\n          - { id: "", weight: 1 }\n',
        TopologyValueError,
        'regions[0].zones[0].nodes[0].id',
      ],
      ['version: 1\nversion: 2\nregions: []\n', TopologySyntaxError, ''],
      ['version: 1\nregions: [\n', TopologySyntaxError, ''],
    ];
    for (const [text, kind, path] of cases) {
      const error = refusal(text);
      expect(error, text).to.be.instanceOf(kind);
      expect(error.path, text).to.equal(path);
      expect(error.line, text).to.be.a('number');
    }
  });

  it('reads back exactly what it was given, for any valid topology written as YAML or JSON', () => {
    const node = fc.record({
      weight: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 64 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
      ),
      state: fc.constantFrom('up', 'down', 'draining', 'out'),
    });
    const shape = fc.array(
      fc.array(fc.array(node, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      {
        minLength: 1,
        maxLength: 3,
      },
    );
    fc.assert(
      fc.property(shape, fc.nat(1000), fc.boolean(), (regions, version, asJson) => {
        let nodeNumber = 0;
        const topology: Topology = {
          version,
          regions: regions.map((zones, r) => ({
            id: `region-${r}`,
            zones: zones.map((nodes, z) => ({
              id: `zone-${r}-${z}`,
              nodes: nodes.map((fields) => ({ id: `node-${nodeNumber++}`, ...fields })),
            })),
          })),
        };
        const text = asJson ? JSON.stringify(topology, null, 2) : stringify(topology);
        expect(parseTopology(text)).to.deep.equal(topology);
      }),
      { numRuns: 100 },
    );
  });
});
