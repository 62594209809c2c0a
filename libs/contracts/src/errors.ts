/**
 * Error codes shared by every service and the gateway. Domain errors carry a
 * code; the gateway maps codes to HTTP in one exhaustive switch.
 */
export const ERROR_CODES = [
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'already_exists',
  'has_children',
  'last_owner',
  'conflict',
  'concurrency_conflict',
  'precondition_failed',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldError {
  /** Dotted path of the offending field, e.g. `scope.maxRole`. */
  field: string;
  message: string;
}

/** How an error travels on the bus and inside a process. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  errors?: FieldError[];
}

/** A failure with a code, thrown by deciders and handlers and mapped at the edge. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toBody(): ErrorBody {
    return this.errors ? { code: this.code, message: this.message, errors: this.errors } : { code: this.code, message: this.message };
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
