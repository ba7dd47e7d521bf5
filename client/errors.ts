/**
 * The SDK's errors: one class per kind of failure, each with a stable `code` (the same code the
 * node sends in the tessera-code metadata) and a message that says what to do. A failed call is
 * rebuilt into one of these from that code, so a writer can branch on `instanceof` or on `code`.
 */

/** Every error the SDK raises. `code` is stable across releases; the message is for people. */
export class TesseraError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The volume (or member) does not exist. Create it first (Cluster.createVolume). */
export class NotFoundError extends TesseraError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** A volume of that name already exists. Open it, or pick another name. */
export class AlreadyExistsError extends TesseraError {
  constructor(message: string) {
    super('ALREADY_EXISTS', message);
  }
}

/** The request is malformed; the message names the field. Nothing was written. Fix the call. */
export class InvalidArgumentError extends TesseraError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/**
 * The cluster could not serve the request now: too few fragments reachable, no node answered, or
 * the connection failed. Retry later. `nothingApplied` is true when a consistency manager said so
 * (it answered and refused); false when the connection failed and a write may have landed.
 */
export class UnavailableError extends TesseraError {
  constructor(
    message: string,
    readonly nothingApplied = false,
  ) {
    super('UNAVAILABLE', message);
  }
}

/**
 * A write may or may not have been applied, and the SDK's retries did not settle it. Send the same
 * bytes again with the same writer sequence (`volume.write(offset, bytes, { writerSeq })`): the
 * consistency manager recognises the retry and never applies it twice.
 */
export class OutcomeUnknownError extends TesseraError {
  constructor(
    message: string,
    /** The writer sequence to retry with; null when the error came from a node without it. */
    readonly writerSeq: number | null = null,
  ) {
    super('OUTCOME_UNKNOWN', message);
  }
}

/**
 * Too many fragments of a stripe are lost for an acknowledged version to be decoded. The cluster
 * reports it and never resets the stripe silently: restore it from a backup or a surviving copy.
 */
export class DataLostError extends TesseraError {
  constructor(message: string) {
    super('DATA_LOST', message);
  }
}

/**
 * The node asked is not the stripe's consistency manager in its epoch. The SDK handles this
 * itself (it refreshes its map and goes to `owner`); it surfaces only when ownership kept moving
 * through every retry, which is worth retrying later.
 */
export class NotOwnerError extends TesseraError {
  constructor(
    message: string,
    /** The responsible CM's node id in `epoch`; null when no CM is up. */
    readonly owner: string | null,
    readonly epoch: number,
  ) {
    super('NOT_OWNER', message);
  }
}

/** The Cluster (or the journal) was closed while the call was waiting. Nothing more is sent. */
export class ClosedError extends TesseraError {
  constructor(what: string) {
    super('CLOSED', `${what} was closed`);
  }
}

/** What a failed call carried: its gRPC status name, details and Tessera's metadata. */
export interface FailedCall {
  /** The gRPC status name (UNAVAILABLE, DEADLINE_EXCEEDED, …). */
  readonly status: string;
  readonly details: string;
  /** The tessera-code metadata, when the node sent one. */
  readonly tesseraCode: string | undefined;
  readonly owner?: string | undefined;
  readonly epoch?: number | undefined;
  /** The node called, for the message (empty when not one node's answer). */
  readonly address: string;
}

/**
 * Statuses with no Tessera code that mean the call may not have reached the node, or its answer
 * did not come back: the connection failed, so a write's outcome is unknown and it is retried.
 */
const CONNECTION_STATUSES = new Set([
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'CANCELLED',
  'INTERNAL',
  'UNKNOWN',
  'ABORTED',
]);

/** The typed error of a failed call, rebuilt from its tessera-code (or its status when none). */
export function errorOfCall(call: FailedCall): TesseraError {
  const at = call.address ? ` (node ${call.address})` : '';
  switch (call.tesseraCode) {
    case 'NOT_OWNER':
      return new NotOwnerError(call.details, call.owner ? call.owner : null, call.epoch ?? 0);
    case 'OUTCOME_UNKNOWN':
      return new OutcomeUnknownError(call.details);
    case 'UNAVAILABLE':
      return new UnavailableError(`${call.details}${at}; retry later`, true);
    case 'DATA_LOST':
      return new DataLostError(call.details);
    case 'INVALID_ARGUMENT':
      return new InvalidArgumentError(call.details);
    case 'NOT_FOUND':
      return new NotFoundError(call.details);
    case 'ALREADY_EXISTS':
      return new AlreadyExistsError(call.details);
    case undefined:
      break;
    default:
      return new TesseraError(call.tesseraCode, `${call.details}${at}`);
  }
  if (CONNECTION_STATUSES.has(call.status))
    return new UnavailableError(
      `the call to ${call.address} failed (${call.status}: ${call.details}); retry later`,
    );
  if (call.status === 'UNIMPLEMENTED')
    return new TesseraError(
      'UNIMPLEMENTED',
      `node ${call.address} does not serve this call (${call.details}); upgrade it`,
    );
  return new TesseraError(call.status, `${call.details}${at}`);
}

/** The typed error of a cluster-map command that was refused ({ok: false, code, message}). */
export function errorOfRefusal(code: string, message: string): TesseraError {
  return errorOfCall({ status: code, details: message, tesseraCode: code, address: '' });
}
