import { Option, type Command } from 'commander';
import type { ApiBody, ApiKeyCreatedDto, ApiKeyDto, Role } from '@siteops/contracts';
import { CliError, ExitCode, UsageError } from '../core/cli-errors';
import type { CommandServices } from '../core/command-services';
import { apiKeyId } from '../core/config-store';
import { parseExpires } from '../core/expires';
import { parsePath } from '../core/hierarchy-path';
import {
  chooseFormat,
  formatAge,
  outputOption,
  writeData,
  writeDetails,
  writeList,
} from '../core/output';
import { ROLE_CHOICES } from '../core/roles';

const SHOWN_ONCE = 'warning: save this key now: it will not be shown again.\n';

/** `apikeys create|list|revoke`: the caller's own API keys. */
export function registerApiKeysCommands(program: Command, services: CommandServices): void {
  const { io } = services;
  const apikeys = program.command('apikeys').description('create, list and revoke your API keys');

  apikeys
    .command('create')
    .description('create an API key; it is printed once')
    .argument('<name>', 'a name to recognise the key by')
    .option('--expires <when>', 'expiry: a duration (30m, 12h, 30d, 8w) or an ISO date/time')
    .option(
      '--scope <path>',
      'limit the key to ORG, ORG/PROJECT or ORG/PROJECT/SITE and below (needs --role)',
    )
    .addOption(
      new Option(
        '--role <role>',
        'the highest role the scoped key may use (needs --scope)',
      ).choices(ROLE_CHOICES),
    )
    .addOption(
      outputOption(
        'print the key and its details in this format (default: the key alone on stdout)',
      ),
    )
    .action(
      async (
        name: string,
        opts: { expires?: string; scope?: string; role?: Role; output?: string },
        cmd: Command,
      ) => {
        if ((opts.scope === undefined) !== (opts.role === undefined)) {
          throw new UsageError(
            '--scope and --role go together',
            'e.g. --scope acme/web --role viewer',
          );
        }
        if (opts.scope !== undefined) parsePath(opts.scope);
        const body: ApiBody<'createApiKey'> = {
          name,
          ...(opts.expires === undefined
            ? {}
            : { expiresAt: parseExpires(opts.expires, io.now()).toISOString() }),
          // The API resolves the scope path to ids when it issues the key.
          ...(opts.scope !== undefined && opts.role !== undefined
            ? { scope: { path: opts.scope, maxRole: opts.role } }
            : {}),
        };
        const client = await services.client(cmd);
        const created = await client.post<ApiKeyCreatedDto>('/v1/api-keys', body);
        const summary = `API key "${created.name}" created (id ${created.id}, ${describeScope(created.scope)}, expires ${created.expiresAt ?? 'never'}).\n`;
        if (opts.output === undefined) {
          // The key alone on stdout, so `KEY=$(sitectl apikeys create ci)` captures exactly it.
          io.stderr.write(summary);
          io.stdout.write(`${created.key}\n`);
        } else {
          const format = chooseFormat(opts.output, io.stdout);
          if (format === 'table') {
            await writeDetails(io, format, created, [
              ['ID', created.id],
              ['Name', created.name],
              ['Scope', describeScope(created.scope)],
              ['Expires', created.expiresAt ?? 'never'],
              ['Key', created.key],
            ]);
          } else {
            await writeData(io, format, created);
          }
        }
        io.stderr.write(SHOWN_ONCE);
      },
    );

  apikeys
    .command('list')
    .description('list your API keys (the secrets are never shown)')
    .addOption(outputOption())
    .action(async (opts: { output?: string }, cmd: Command) => {
      const { connection, client } = await services.session(cmd);
      const inUse = connection.apiKey === undefined ? undefined : apiKeyId(connection.apiKey);
      const keys = await client.list<ApiKeyDto>('/v1/api-keys');
      const now = io.now();
      await writeList(
        io,
        chooseFormat(opts.output, io.stdout),
        keys,
        [
          { header: 'current', value: (k) => (k.id === inUse ? '*' : '') },
          { header: 'id', value: (k) => k.id },
          { header: 'name', value: (k) => k.name },
          { header: 'scope', value: (k) => describeScope(k.scope) },
          { header: 'expires', value: (k) => k.expiresAt ?? 'never' },
          { header: 'status', value: (k) => keyStatus(k, now) },
          { header: 'age', value: (k) => formatAge(k.createdAt, now) },
        ],
        'API keys',
      );
    });

  apikeys
    .command('revoke')
    .description('revoke an API key by id, or by name when exactly one active key has it')
    .argument('<id-or-name>', 'key id (see `sitectl apikeys list`) or name')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const { connection, client } = await services.session(cmd);
      const key = pickKey(await client.list<ApiKeyDto>('/v1/api-keys'), ref);
      await client.delete(`/v1/api-keys/${encodeURIComponent(key.id)}`);
      io.stdout.write(`API key "${key.name}" (id ${key.id}) revoked.\n`);
      if (connection.apiKey !== undefined && apiKeyId(connection.apiKey) === key.id) {
        io.stderr.write(
          'note: that was the key sitectl is using; run `sitectl login` with another key.\n',
        );
      }
    });
}

/** Exact id first; else the single active key with that name. */
function pickKey(keys: readonly ApiKeyDto[], ref: string): ApiKeyDto {
  const byId = keys.find((k) => k.id === ref);
  if (byId) {
    if (byId.revokedAt)
      throw new CliError(`API key ${ref} is already revoked`, { exitCode: ExitCode.Conflict });
    return byId;
  }
  const byName = keys.filter((k) => k.name === ref && !k.revokedAt);
  if (byName.length > 1) {
    throw new UsageError(
      `${byName.length} active API keys are named "${ref}"`,
      `revoke one by id: ${byName.map((k) => k.id).join(', ')}`,
    );
  }
  const [only] = byName;
  if (!only) {
    throw new CliError(`no active API key has the id or name "${ref}"`, {
      exitCode: ExitCode.NotFound,
      hint: 'see `sitectl apikeys list`',
    });
  }
  return only;
}

function describeScope(scope: ApiKeyDto['scope']): string {
  return scope ? `${scope.path} (at most ${scope.maxRole})` : 'unscoped';
}

function keyStatus(key: ApiKeyDto, now: Date): string {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now.getTime()) return 'expired';
  return 'active';
}
