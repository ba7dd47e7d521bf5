/**
 * The consistency manager's errors, one class per kind of failure with a stable code. Each says
 * what the caller should do: go elsewhere (NOT_OWNER), retry (UNAVAILABLE), find out
 * (OUTCOME_UNKNOWN), fix the request (INVALID_ARGUMENT, NOT_FOUND) or call an operator
 * (DATA_LOST). The gRPC adapter maps them to statuses; the SDK rebuilds them from the code.
 */
export class CmError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** This CM is not responsible for the stripe in its epoch: retry at `owner` (null: no CM is up). */
export class NotOwnerError extends CmError {
  constructor(
    readonly owner: string | null,
    readonly epoch: number,
    stripe: string,
  ) {
    super(
      'NOT_OWNER',
      `stripe ${stripe} is owned by ${owner ?? 'no CM'} in epoch ${epoch}; retry there`,
    );
  }
}

/**
 * The write may or may not have been applied (it reached fewer than q fragments, or ownership
 * moved before it was confirmed): a later recovery rolls it forward or back. Retry it with the
 * same writer id and sequence, which is never applied twice, to learn its outcome.
 */
export class OutcomeUnknownError extends CmError {
  constructor(message: string) {
    super('OUTCOME_UNKNOWN', `${message}; retry with the same writer id and sequence to settle it`);
  }
}

/** Not enough fragments are reachable to serve the request now; nothing was applied. Retry later. */
export class StripeUnavailableError extends CmError {
  constructor(message: string) {
    super('UNAVAILABLE', message);
  }
}

/** Too many fragments are lost for an acknowledged version to be decoded: reported, never reset. */
export class DataLostError extends CmError {
  constructor(message: string) {
    super('DATA_LOST', `${message}; restore the stripe from a backup or a surviving copy`);
  }
}

/** A malformed request; the message names the field. Nothing changed. */
export class CmInvalidRequestError extends CmError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('INVALID_ARGUMENT', `${field}: ${message}`);
  }
}

/** The volume is not in the catalog. */
export class VolumeNotFoundError extends CmError {
  constructor(volume: string) {
    super('NOT_FOUND', `volume ${volume} does not exist; create it first (tessera volume create)`);
  }
}
