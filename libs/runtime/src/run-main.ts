import { ConfigError, loadConfig, type SiteopsConfig } from './config';

export interface Running {
  close(): Promise<void>;
}

/**
 * The body of every `main.ts`: validate the configuration, start, and shut
 * down cleanly on SIGTERM/SIGINT. A configuration error prints the variable
 * names and exits 1 without a stack trace.
 */
export function runMain(start: (config: SiteopsConfig) => Promise<Running>): void {
  let config: SiteopsConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  start(config).then(
    (running) => {
      let closing = false;
      const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        process.stderr.write(`${signal} received, shutting down\n`);
        running.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => {
        shutdown('SIGTERM');
      });
      process.once('SIGINT', () => {
        shutdown('SIGINT');
      });
    },
    (error: unknown) => {
      process.stderr.write(`failed to start: ${describeStartError(error)}\n`);
      process.exit(1);
    },
  );
}

/** Start failures are almost always a dependency that is not there; say which, not a stack. */
export function describeStartError(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') return `${message} (is PostgreSQL/NATS/Redis running? try scripts/infra-up.sh)`;
  return message;
}
