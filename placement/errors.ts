/**
 * The placement layer's errors: one class per kind of failure, each with a stable `code` that
 * callers (the command line, the gRPC adapter later) can match on. They are thrown only at the
 * edge of the library (reading a topology, creating a volume's rule); the placement functions
 * themselves return degraded outcomes as values.
 */

/** Base of every error the placement layer throws. */
export class PlacementError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A topology file that cannot be used as written. `path` names the offending value
 * (`regions[0].zones[1].nodes[2].weight`) and `line` its 1-based line in the file, when known.
 */
export class TopologyError extends PlacementError {
  /** The file the topology came from, once the caller names it (see `inSource`). */
  source: string | undefined;

  constructor(
    code: string,
    readonly path: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(code, `${line === undefined ? '' : `line ${line}: `}${path || '(top level)'}: ${detail}`);
  }

  /** Names the file in the message (`topology.yaml: line 9: …`) and returns the same error. */
  inSource(source: string): this {
    this.source = source;
    this.message = `${source}: ${this.message}`;
    return this;
  }
}

/** The file is not well-formed YAML or JSON (also: a key repeated inside one mapping). */
export class TopologySyntaxError extends TopologyError {
  constructor(path: string, line: number | undefined, detail: string) {
    super('TOPOLOGY_SYNTAX', path, line, detail);
  }
}

/** A key that the topology format does not know: refused rather than silently ignored. */
export class TopologyUnknownKeyError extends TopologyError {
  constructor(path: string, line: number | undefined, detail: string) {
    super('TOPOLOGY_UNKNOWN_KEY', path, line, detail);
  }
}

/** A key that must be present is missing. */
export class TopologyMissingKeyError extends TopologyError {
  constructor(path: string, line: number | undefined, detail: string) {
    super('TOPOLOGY_MISSING_KEY', path, line, detail);
  }
}

/** A value of the wrong type or outside its range (a negative weight, an unknown state). */
export class TopologyValueError extends TopologyError {
  constructor(path: string, line: number | undefined, detail: string) {
    super('TOPOLOGY_BAD_VALUE', path, line, detail);
  }
}

/** Two regions, two zones or two nodes share one id. */
export class TopologyDuplicateIdError extends TopologyError {
  constructor(path: string, line: number | undefined, detail: string) {
    super('TOPOLOGY_DUPLICATE_ID', path, line, detail);
  }
}

/** A region without zones or a zone without nodes: almost always a mistake, never a default. */
export class TopologyEmptyError extends TopologyError {
  constructor(path: string, line: number | undefined, detail: string) {
    super('TOPOLOGY_EMPTY', path, line, detail);
  }
}

/** An erasure scheme that placement cannot serve (k < 1, m < 0, not integers). */
export class SchemeError extends PlacementError {
  constructor(detail: string) {
    super('PLACEMENT_BAD_SCHEME', detail);
  }
}

/** A placement rule that is malformed (unknown level, a cap below 1, above 1 at node level). */
export class RuleError extends PlacementError {
  constructor(detail: string) {
    super('PLACEMENT_BAD_RULE', detail);
  }
}

/**
 * A rule that the topology cannot satisfy: fewer places for fragments (the sum over failure
 * domains of min(cap, eligible nodes)) than the stripe has fragments. Raised at volume creation.
 */
export class RuleUnsatisfiableError extends PlacementError {
  constructor(
    readonly slots: number,
    readonly fragments: number,
    detail: string,
  ) {
    super('PLACEMENT_RULE_UNSATISFIABLE', detail);
  }
}
