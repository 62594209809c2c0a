import type { Command } from 'commander';
import type { WhoAmIDto } from '@siteops/contracts';
import { ApiError, CliError, ExitCode, UsageError } from '../core/cli-errors';
import type { CommandServices } from '../core/command-services';
import {
  DEFAULT_API_URL,
  DEFAULT_CONTEXT_NAME,
  apiKeyId,
  findContext,
  normalizeApiUrl,
  saveConfig,
  upsertContext,
  type ApiUrlSource,
} from '../core/config-store';
import { chooseFormat, outputOption, writeDetails } from '../core/output';
import { readAll, readHidden } from '../core/prompt';

/** `login`, `logout`, `whoami`. */
export function registerAuthCommands(program: Command, services: CommandServices): void {
  const { io } = services;

  program
    .command('login')
    .description(
      'verify an API key and store it in a context (read from a hidden prompt, or from stdin when piped)',
    )
    .option(
      '--api-url <url>',
      `API URL to store (default: SITECTL_API_URL, the context's URL, or ${DEFAULT_API_URL})`,
    )
    .action(async (opts: { apiUrl?: string }, cmd: Command) => {
      const config = await services.loadConfig();
      const name =
        services.globalOptions(cmd).context ?? config.currentContext ?? DEFAULT_CONTEXT_NAME;
      const existing = findContext(config, name);
      const envUrl = io.env['SITECTL_API_URL'] || undefined;
      const [rawUrl, source]: [string, ApiUrlSource] = opts.apiUrl
        ? [opts.apiUrl, 'flag']
        : envUrl
          ? [envUrl, 'env']
          : existing
            ? [existing.apiUrl, 'context']
            : [DEFAULT_API_URL, 'default'];
      const apiUrl = normalizeApiUrl(rawUrl);

      const apiKey = await readApiKey(services, apiUrl);
      let who: WhoAmIDto;
      try {
        who = await services
          .clientFor({ apiUrl, apiUrlSource: source }, apiKey)
          .get<WhoAmIDto>('/v1/whoami');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          throw new CliError(`${apiUrl} rejected this API key: ${error.message}`, {
            exitCode: ExitCode.Forbidden,
            hint: 'check that the key is complete, not expired and not revoked',
          });
        }
        throw error;
      }

      await saveConfig(services.configPath, {
        ...upsertContext(config, { name, apiUrl, apiKey }),
        currentContext: name,
      });
      io.stdout.write(`Logged in to ${apiUrl} as ${who.user.email} (context "${name}").\n`);
      if (io.env['SITECTL_API_KEY']) {
        io.stderr.write(
          'warning: SITECTL_API_KEY is set and takes precedence over the stored key.\n',
        );
      }
    });

  program
    .command('logout')
    .description(
      'remove the stored API key from the current (or --context) context; the key itself stays valid',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const config = await services.loadConfig();
      const name = services.globalOptions(cmd).context ?? config.currentContext;
      const context = name === undefined ? undefined : findContext(config, name);
      if (!context)
        throw new CliError(
          name === undefined
            ? 'not logged in: there is no current context'
            : `no context named "${name}"`,
        );
      if (!context.apiKey) {
        io.stdout.write(`Context "${context.name}" holds no API key.\n`);
        return;
      }
      const keyId = apiKeyId(context.apiKey);
      await saveConfig(
        services.configPath,
        upsertContext(config, { name: context.name, apiUrl: context.apiUrl }),
      );
      io.stdout.write(`Logged out of context "${context.name}".\n`);
      io.stderr.write(
        `note: the key is still valid until it expires; revoke it with \`sitectl apikeys revoke ${keyId ?? 'ID'}\` if it is no longer needed.\n`,
      );
    });

  program
    .command('whoami')
    .description('show the user and API key the API sees')
    .addOption(outputOption())
    .action(async (opts: { output?: string }, cmd: Command) => {
      const { connection, client } = await services.session(cmd);
      const who = await client.get<WhoAmIDto>('/v1/whoami');
      const { apiKey } = who;
      await writeDetails(io, chooseFormat(opts.output, io.stdout), who, [
        ['User', `${who.user.name} <${who.user.email}>`],
        ['User ID', who.user.id],
        ['Platform admin', who.platformAdmin ? 'yes' : 'no'],
        ['API key', `${apiKey.name} (${apiKey.id})`],
        [
          'Scope',
          apiKey.scope
            ? `${apiKey.scope.path} (at most ${apiKey.scope.maxRole})`
            : 'none (all of the user’s access)',
        ],
        ['Expires', apiKey.expiresAt ?? 'never'],
        ['Context', connection.contextName ?? '-'],
        ['API URL', connection.apiUrl],
      ]);
    });
}

async function readApiKey(services: CommandServices, apiUrl: string): Promise<string> {
  const { stdin, stderr } = services.io;
  const tty = stdin.isTTY === true;
  const key = (
    tty ? await readHidden(stdin, stderr, `API key for ${apiUrl}: `) : await readAll(stdin)
  ).trim();
  if (key === '') {
    throw new UsageError(
      'no API key given',
      tty
        ? 'paste the key at the prompt'
        : 'pipe the key into stdin, e.g. `sitectl login < .siteops/admin-api-key`',
    );
  }
  // Never echo the input: it may be a real secret pasted in the wrong place.
  if (!/^siteops_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/.test(key)) {
    throw new UsageError('that is not a siteops API key', 'keys look like siteops_<id>_<secret>');
  }
  return key;
}
