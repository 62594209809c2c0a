import type { Command } from 'commander';
import { ApiClient } from './api-client';
import { CliError, ExitCode } from './cli-errors';
import type { CliIo } from './cli-io';
import {
  configPath,
  loadConfig,
  resolveConnection,
  type Connection,
  type SitectlConfig,
} from './config-store';

/** The options every command accepts (declared on the root program). */
export interface GlobalOptions {
  context?: string;
}

/**
 * What a command area's actions get: the injected I/O and lazy access to the
 * config and the API. Nothing is read until an action asks for it, so
 * `--help`, `completion` and usage errors never touch the disk or network.
 */
export class CommandServices {
  constructor(
    readonly io: CliIo,
    readonly version: string,
  ) {}

  get configPath(): string {
    return configPath(this.io.env);
  }

  loadConfig(): Promise<SitectlConfig> {
    return loadConfig(this.configPath);
  }

  globalOptions(command: Command): GlobalOptions {
    return command.optsWithGlobals<GlobalOptions>();
  }

  async connection(command: Command): Promise<Connection> {
    return resolveConnection(
      await this.loadConfig(),
      this.io.env,
      this.globalOptions(command).context,
    );
  }

  /** The selected connection and a client for it; fails with exit 4 when no key is configured. */
  async session(command: Command): Promise<{ connection: Connection; client: ApiClient }> {
    const connection = await this.connection(command);
    if (!connection.apiKey) {
      throw new CliError(
        connection.contextName
          ? `context "${connection.contextName}" has no API key`
          : 'not logged in',
        { exitCode: ExitCode.Forbidden, hint: 'run `sitectl login` (or set SITECTL_API_KEY)' },
      );
    }
    return { connection, client: this.clientFor(connection, connection.apiKey) };
  }

  async client(command: Command): Promise<ApiClient> {
    return (await this.session(command)).client;
  }

  clientFor(connection: Pick<Connection, 'apiUrl' | 'apiUrlSource'>, apiKey: string): ApiClient {
    return new ApiClient({
      apiUrl: connection.apiUrl,
      apiUrlSource: connection.apiUrlSource,
      apiKey,
      fetch: this.io.fetch,
      userAgent: `sitectl/${this.version}`,
    });
  }
}

/** A command area (`get`, `members`, `secrets`…) adds its commands to the program. */
export type CommandArea = (program: Command, services: CommandServices) => void;
