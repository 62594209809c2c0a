import type { Command } from 'commander';
import type { ApiKeyCreatedDto, ApiKeyDto } from '@siteops/contracts';
import { CliError, ExitCode, UsageError } from '../core/cli-errors';
import type { CommandServices } from '../core/command-services';
import { apiKeyId } from '../core/config-store';
import { chooseFormat, formatAge, outputOption, writeList } from '../core/output';
import {
  describeScope,
  issueKeyBody,
  printIssuedKey,
  withIssueKeyOptions,
  type IssueKeyOptions,
} from './api-key.issue';

/** `apikeys create|list|revoke`: the caller's own API keys. */
export function registerApiKeysCommands(program: Command, services: CommandServices): void {
  const { io } = services;
  const apikeys = program.command('apikeys').description('create, list and revoke your API keys');

  withIssueKeyOptions(
    apikeys
      .command('create')
      .description('create an API key; it is printed once')
      .argument('<name>', 'a name to recognise the key by'),
  ).action(async (name: string, opts: IssueKeyOptions, cmd: Command) => {
    const body = issueKeyBody(name, opts, io.now());
    const client = await services.client(cmd);
    const created = await client.post<ApiKeyCreatedDto>('/v1/api-keys', body);
    await printIssuedKey(io, created, opts.output);
  });

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

function keyStatus(key: ApiKeyDto, now: Date): string {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now.getTime()) return 'expired';
  return 'active';
}
