/**
 * A mistake in how a command was called (a bad option value, a missing input file): reported as
 * a usage error with exit code 2, like yargs' own, and always before anything is sent or written.
 */
export class UsageError extends Error {
  readonly code = 'USAGE';

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit code of a usage error. */
export const USAGE_EXIT_CODE = 2;
