import { Option, type Command } from 'commander';
import type { ApiBody, ApiKeyCreatedDto, ApiKeyDto, Role } from '@siteops/contracts';
import { UsageError } from '../core/cli-errors';
import type { CliIo } from '../core/cli-io';
import { parseExpires } from '../core/expires';
import { parsePath } from '../core/hierarchy-path';
import { chooseFormat, outputOption, writeData, writeDetails } from '../core/output';
import { ROLE_CHOICES } from '../core/roles';

/**
 * What `apikeys create` and `users issue-key` share: the same options, the
 * same request body (`POST /v1/api-keys` and `POST /v1/users/{id}/api-keys`
 * take one schema) and the same "shown once" output.
 */
export interface IssueKeyOptions {
  expires?: string;
  scope?: string;
  role?: Role;
  output?: string;
}

const SHOWN_ONCE = 'warning: save this key now: it will not be shown again.\n';

/** Adds `--expires`, `--scope`, `--role` and `-o` to a command that issues a key. */
export function withIssueKeyOptions(command: Command): Command {
  return command
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
    );
}

/** The request body; throws a usage error (nothing sent) for a bad expiry or scope. */
export function issueKeyBody(
  name: string,
  opts: IssueKeyOptions,
  now: Date,
): ApiBody<'createApiKey'> {
  if ((opts.scope === undefined) !== (opts.role === undefined)) {
    throw new UsageError('--scope and --role go together', 'e.g. --scope acme/web --role viewer');
  }
  if (opts.scope !== undefined) parsePath(opts.scope);
  return {
    name,
    ...(opts.expires === undefined
      ? {}
      : { expiresAt: parseExpires(opts.expires, now).toISOString() }),
    // The API resolves the scope path to ids when it issues the key.
    ...(opts.scope !== undefined && opts.role !== undefined
      ? { scope: { path: opts.scope, maxRole: opts.role } }
      : {}),
  };
}

/**
 * Without `-o`: the key alone on stdout, so `KEY=$(sitectl apikeys create ci)`
 * captures exactly it, and its details on stderr. With `-o`: everything on
 * stdout. Either way, the warning that it will not be shown again.
 */
export async function printIssuedKey(
  io: CliIo,
  created: ApiKeyCreatedDto,
  output: string | undefined,
  holder?: string,
): Promise<void> {
  if (output === undefined) {
    const forWhom = holder === undefined ? '' : ` for ${holder}`;
    io.stderr.write(
      `API key "${created.name}" created${forWhom} (id ${created.id}, ${describeScope(created.scope)}, expires ${created.expiresAt ?? 'never'}).\n`,
    );
    io.stdout.write(`${created.key}\n`);
  } else {
    const format = chooseFormat(output, io.stdout);
    if (format === 'table') {
      await writeDetails(io, format, created, [
        ['ID', created.id],
        ['Name', created.name],
        ...(holder === undefined ? [] : [['User', holder] as const]),
        ['Scope', describeScope(created.scope)],
        ['Expires', created.expiresAt ?? 'never'],
        ['Key', created.key],
      ]);
    } else {
      await writeData(io, format, created);
    }
  }
  io.stderr.write(SHOWN_ONCE);
}

export function describeScope(scope: ApiKeyDto['scope']): string {
  return scope ? `${scope.path} (at most ${scope.maxRole})` : 'unscoped';
}
