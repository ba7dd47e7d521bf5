/**
 * The fragment store's errors, one class per kind, each with a stable code. Refusals that the
 * protocol expects (a version mismatch, a fence) are not errors: they are returned outcomes.
 */

export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request field is malformed or out of range; the message names the field. Nothing changed. */
export class InvalidRequestError extends StoreError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('INVALID_ARGUMENT', `${field}: ${message}`);
  }
}

/** Stored bytes fail their CRC32C: never returned as data; decode elsewhere and repair. */
export class ChecksumMismatchError extends StoreError {
  constructor(
    readonly fragment: string,
    readonly sector: number,
  ) {
    super(
      'STORE_CHECKSUM',
      `fragment ${fragment}: sector ${sector} fails its CRC32C; decode it from other fragments and repair it`,
    );
  }
}

/** The store's disk or quota is full: writes are refused, reads go on, nothing acknowledged is lost. */
export class StoreFullError extends StoreError {
  constructor(message: string) {
    super('STORE_FULL', message);
  }
}

/** A version asked for is not in the fragment's history (never written, or folded away). */
export class VersionNotFoundError extends StoreError {
  constructor(fragment: string, version: string) {
    super(
      'STORE_VERSION_NOT_FOUND',
      `fragment ${fragment} has no version ${version} in its history`,
    );
  }
}
