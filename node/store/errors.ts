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

/**
 * Stored bytes fail their CRC32C: never returned as data; decode elsewhere and repair. `part`
 * names what failed (a version's record, the base copy, a value in a segment file).
 */
export class ChecksumMismatchError extends StoreError {
  constructor(
    readonly fragment: string,
    readonly part: string,
  ) {
    super(
      'STORE_CHECKSUM',
      `fragment ${fragment}: ${part} fails its CRC32C; decode it from other fragments and repair it`,
    );
  }
}

/**
 * A store's files are damaged where no crash could have left them so (a bad frame with good ones
 * after it, or in a sealed segment): the store does not open, rather than serve a guess. Move the
 * directory aside and let the cluster rebuild this node's fragments.
 */
export class StoreCorruptError extends StoreError {
  constructor(
    readonly file: string,
    readonly offset: number,
    why: string,
  ) {
    super(
      'STORE_CORRUPT',
      `${file} at byte ${offset}: ${why}; the store will not open. Move its directory aside and let the cluster rebuild this node's fragments`,
    );
  }
}

/** Another store has the directory open (a second node on the same data directory). */
export class StoreLockedError extends StoreError {
  constructor(directory: string, holder: string) {
    super(
      'STORE_LOCKED',
      `${directory} is in use by ${holder}; stop it or give this node another data directory`,
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
