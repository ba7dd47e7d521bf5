/**
 * Reading a topology from the text of a YAML or JSON file (JSON is read by the same YAML 1.2
 * parser, so both get line numbers). Every mistake is a typed error that names the path of the
 * offending value and its line; nothing is filled in silently except a node's `state`, which
 * is `up` when absent. The file itself is read by the caller: this module does no I/O.
 *
 * ```yaml
 * version: 3
 * regions:
 *   - id: eu-west
 *     zones:
 *       - id: eu-west-a
 *         nodes:
 *           - { id: n1, weight: 4, state: up }
 * ```
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import {
  TopologyError,
  TopologyDuplicateIdError,
  TopologyEmptyError,
  TopologyMissingKeyError,
  TopologySyntaxError,
  TopologyUnknownKeyError,
  TopologyValueError,
} from './errors.js';
import {
  NODE_STATES,
  type NodeState,
  type Region,
  type StorageNode,
  type Topology,
  type Zone,
} from './topology.js';

/** Finds the 1-based line of the value at a path such as `regions[0].zones[1]`, if known. */
export type LineLookup = (path: string) => number | undefined;

/**
 * Parses and validates topology text (YAML or JSON); throws a TopologyError on any mistake,
 * naming `source` (the file name) in its message when given.
 */
export function parseTopology(text: string, source?: string): Topology {
  try {
    return parseAndValidate(text);
  } catch (error) {
    if (error instanceof TopologyError && source !== undefined) throw error.inSource(source);
    throw error;
  }
}

function parseAndValidate(text: string): Topology {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const firstError = document.errors[0];
  if (firstError !== undefined) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw new TopologySyntaxError(
      '',
      line,
      firstError.message.split('\n')[0] ?? 'not YAML or JSON',
    );
  }
  const lines = new Map<string, number>();
  collectLines(document.contents, '', lines, lineCounter);
  return validateTopology(document.toJS() as unknown, (path) => lines.get(path));
}

function collectLines(
  node: unknown,
  path: string,
  lines: Map<string, number>,
  counter: LineCounter,
): void {
  if (node === null || typeof node !== 'object') return;
  const range = (node as YamlNode).range;
  if (range) lines.set(path, counter.linePos(range[0]).line);
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const childPath = path === '' ? key : `${path}.${key}`;
      const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
      if (keyRange) lines.set(childPath, counter.linePos(keyRange[0]).line);
      collectLines(pair.value, childPath, lines, counter);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => collectLines(item, `${path}[${index}]`, lines, counter));
  }
}

/**
 * Validates a topology given as plain data (from a parsed file, or built in code) and returns
 * a frozen copy. `lineOf` adds line numbers to the errors when the data came from a file.
 */
export function validateTopology(value: unknown, lineOf: LineLookup = () => undefined): Topology {
  const context = new Validation(lineOf);
  const top = context.object(value, '', ['version', 'regions']);
  const version = top.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw context.value('version', `must be a non-negative integer, got ${describe(version)}`);
  }
  const regions = context
    .list(top.regions, 'regions', 'the topology has no regions')
    .map((region, index) => context.region(region, `regions[${index}]`));
  return Object.freeze({ version, regions: Object.freeze(regions) });
}

class Validation {
  private readonly regionIds = new Map<string, string>();
  private readonly zoneIds = new Map<string, string>();
  private readonly nodeIds = new Map<string, string>();

  constructor(private readonly lineOf: LineLookup) {}

  region(value: unknown, path: string): Region {
    const fields = this.object(value, path, ['id', 'zones']);
    const id = this.id(fields.id, `${path}.id`, this.regionIds, 'region');
    const zones = this.list(fields.zones, `${path}.zones`, `region ${id} has no zones`).map(
      (zone, index) => this.zone(zone, `${path}.zones[${index}]`),
    );
    return Object.freeze({ id, zones: Object.freeze(zones) });
  }

  zone(value: unknown, path: string): Zone {
    const fields = this.object(value, path, ['id', 'nodes']);
    const id = this.id(fields.id, `${path}.id`, this.zoneIds, 'zone');
    const nodes = this.list(fields.nodes, `${path}.nodes`, `zone ${id} has no nodes`).map(
      (node, index) => this.node(node, `${path}.nodes[${index}]`),
    );
    return Object.freeze({ id, nodes: Object.freeze(nodes) });
  }

  node(value: unknown, path: string): StorageNode {
    const fields = this.object(value, path, ['id', 'weight'], ['state']);
    const id = this.id(fields.id, `${path}.id`, this.nodeIds, 'node');
    const weight = fields.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw this.value(
        `${path}.weight`,
        `node ${id}: weight must be a finite number >= 0, got ${describe(weight)}`,
      );
    }
    const state = fields.state ?? 'up';
    if (typeof state !== 'string' || !(NODE_STATES as readonly string[]).includes(state)) {
      throw this.value(
        `${path}.state`,
        `node ${id}: state must be one of ${NODE_STATES.join(', ')}, got ${describe(state)}`,
      );
    }
    return Object.freeze({ id, weight, state: state as NodeState });
  }

  object(
    value: unknown,
    path: string,
    required: readonly string[],
    optional: readonly string[] = [],
  ): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw this.value(
        path,
        `must be a mapping with ${required.join(', ')}, got ${describe(value)}`,
      );
    }
    const fields = value as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (!required.includes(key) && !optional.includes(key)) {
        const known = [...required, ...optional].join(', ');
        throw new TopologyUnknownKeyError(
          join(path, key),
          this.lineOf(join(path, key)),
          `unknown key "${key}" (known keys: ${known})`,
        );
      }
    }
    for (const key of required) {
      if (fields[key] === undefined) {
        throw new TopologyMissingKeyError(
          join(path, key),
          this.lineOf(path),
          `missing required key "${key}"`,
        );
      }
    }
    return fields;
  }

  list(value: unknown, path: string, emptyMessage: string): unknown[] {
    if (!Array.isArray(value)) throw this.value(path, `must be a list, got ${describe(value)}`);
    if (value.length === 0) throw new TopologyEmptyError(path, this.lineOf(path), emptyMessage);
    return value as unknown[];
  }

  id(value: unknown, path: string, seen: Map<string, string>, kind: string): string {
    if (typeof value !== 'string' || value.length === 0) {
      throw this.value(path, `${kind} id must be a non-empty string, got ${describe(value)}`);
    }
    const first = seen.get(value);
    if (first !== undefined) {
      const where =
        this.lineOf(first) === undefined ? first : `${first}, line ${this.lineOf(first)}`;
      throw new TopologyDuplicateIdError(
        path,
        this.lineOf(path),
        `duplicate ${kind} id "${value}" (first at ${where})`,
      );
    }
    seen.set(value, path);
    return value;
  }

  value(path: string, detail: string): TopologyValueError {
    return new TopologyValueError(path, this.lineOf(path), detail);
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}
