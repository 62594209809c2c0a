import { Logger } from '@nestjs/common';
import { inspect } from 'node:util';

/**
 * The little logging this library needs. Nest's `Logger` fits it as is, so
 * apps pass their own and the default logs through Nest like everything else.
 */
export interface MessagingLogger {
  warn(message: string, ...context: unknown[]): void;
  error(message: string, ...context: unknown[]): void;
}

export const defaultMessagingLogger: MessagingLogger = new Logger('Messaging');

/** The most useful text of a thrown value: its stack when it has one. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : inspect(error, { depth: 4 });
}
