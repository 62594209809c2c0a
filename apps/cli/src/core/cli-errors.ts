import type { ProblemDto } from '@siteops/contracts';

/** Exit codes of SPEC §7; scripts branch on them, so they never change meaning. */
export const ExitCode = {
  Ok: 0,
  Error: 1,
  Usage: 2,
  NotFound: 3,
  Forbidden: 4,
  Conflict: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** How an HTTP status of the API surfaces as an exit code. */
export function exitCodeForStatus(status: number): ExitCode {
  switch (status) {
    case 400:
      return ExitCode.Usage;
    case 401:
    case 403:
      return ExitCode.Forbidden;
    case 404:
      return ExitCode.NotFound;
    case 409:
    case 412:
      return ExitCode.Conflict;
    default:
      return ExitCode.Error;
  }
}

export interface CliErrorOptions {
  readonly exitCode?: ExitCode;
  /** Extra lines shown under the message, e.g. field errors. */
  readonly details?: readonly string[];
  /** What the user can do about it. */
  readonly hint?: string;
}

/** A failure the user should read: printed as `error: …`, never with a stack. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly details: readonly string[];
  readonly hint: string | undefined;

  constructor(message: string, options: CliErrorOptions = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? ExitCode.Error;
    this.details = options.details ?? [];
    this.hint = options.hint;
  }
}

/** Bad arguments caught before anything was sent (exit 2, like commander's own). */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.Usage, hint });
    this.name = 'UsageError';
  }
}

/** The API answered with an error status; carries its problem document when there is one. */
export class ApiError extends CliError {
  readonly status: number;
  readonly problem: ProblemDto | undefined;

  constructor(status: number, problem: ProblemDto | undefined, fallback: string, hint?: string) {
    super(problem?.detail || problem?.title || fallback, {
      exitCode: exitCodeForStatus(status),
      details: (problem?.errors ?? []).map((e) => `${e.field}: ${e.message}`),
      hint,
    });
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  get code(): string | undefined {
    return this.problem?.code;
  }

  get correlationId(): string | undefined {
    return this.problem?.correlationId;
  }
}

/** The text printed to stderr for a failure. */
export function formatError(error: CliError): string {
  const lines = [`error: ${error.message}`, ...error.details.map((d) => `  - ${d}`)];
  if (error instanceof ApiError && error.correlationId)
    lines.push(`correlation id: ${error.correlationId}`);
  if (error.hint) lines.push(`hint: ${error.hint}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Errors from Node internals (fs, fetch) are checked by shape, not with
 * `instanceof Error`: that fails across realms (e.g. under Jest's VM).
 */
export interface ErrorLike {
  readonly message: string;
  readonly name?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly stack?: unknown;
}

export function isErrorLike(value: unknown): value is ErrorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

export function errorMessage(error: unknown): string {
  return isErrorLike(error) ? error.message : String(error);
}
