import pino, { type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';
import type { SiteopsConfig } from './config';

export type { Logger };

/**
 * JSON logs (pino). Anything that could carry a credential is redacted by
 * path, so a careless `logger.info({ body })` cannot leak a secret value.
 */
export function createLogger(config: Pick<SiteopsConfig, 'logLevel'>, service: string): Logger {
  return pino({
    level: config.logLevel,
    base: { service },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        '*.password',
        '*.value',
        '*.secret',
        '*.key',
        '*.apiKey',
        '*.secretAccessKey',
        'password',
        'value',
        'secret',
        'apiKey',
      ],
      censor: '[redacted]',
    },
  });
}

/** Routes Nest's own log lines into pino. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
