import type { Command } from 'commander';
import type { ApiBody, ApiKeyCreatedDto, UserDto } from '@siteops/contracts';
import type { ApiClient } from '../core/api-client';
import { CliError, ExitCode } from '../core/cli-errors';
import type { CommandServices } from '../core/command-services';
import {
  PRINT_CREATED,
  chooseFormat,
  formatAge,
  outputOption,
  writeCreated,
  writeList,
  yesNo,
  type Column,
} from '../core/output';
import {
  issueKeyBody,
  printIssuedKey,
  withIssueKeyOptions,
  type IssueKeyOptions,
} from './api-key.issue';

/**
 * `users create|list|issue-key`: the platform admin's side of identity
 * (SPEC §3 "users: platform admin"). SPEC §7 lists no command for it; the
 * REST API has the endpoints, and an operator should not need curl to
 * onboard someone. The API answers 403 (exit 4) for anyone else.
 */
export function registerUsersCommands(program: Command, services: CommandServices): void {
  const { io } = services;
  const users = program
    .command('users')
    .description('register users, list them and issue API keys for them (platform admin)');

  users
    .command('create')
    .description(
      'register a user; then grant access with `members add` and a key with `users issue-key`',
    )
    .argument('<email>', 'email address (unique, case-insensitive)')
    .requiredOption('--name <name>', "the user's display name")
    .addOption(outputOption(PRINT_CREATED))
    .action(async (email: string, opts: { name: string; output?: string }, cmd: Command) => {
      const client = await services.client(cmd);
      const body: ApiBody<'createUser'> = { email, name: opts.name };
      const user = await client.post<UserDto>('/v1/users', body);
      await writeCreated(
        io,
        opts.output,
        `user "${user.email}" created (id ${user.id})`,
        (format) => writeList(io, format, [user], userColumns(io.now()), 'users', user),
      );
    });

  users
    .command('list')
    .description('list every user of the platform')
    .addOption(outputOption())
    .action(async (opts: { output?: string }, cmd: Command) => {
      const client = await services.client(cmd);
      await writeList(
        io,
        chooseFormat(opts.output, io.stdout),
        await client.list<UserDto>('/v1/users'),
        userColumns(io.now()),
        'users',
      );
    });

  withIssueKeyOptions(
    users
      .command('issue-key')
      .description('issue an API key for USER; it is printed once (like `apikeys create`)')
      .argument('<user>', 'email address or user id')
      .argument('<name>', 'a name to recognise the key by'),
  ).action(async (user: string, name: string, opts: IssueKeyOptions, cmd: Command) => {
    const body = issueKeyBody(name, opts, io.now());
    const client = await services.client(cmd);
    const holder = await findUser(client, user);
    const created = await client.post<ApiKeyCreatedDto>(
      `/v1/users/${encodeURIComponent(holder.id)}/api-keys`,
      body,
    );
    await printIssuedKey(io, created, opts.output, holder.label);
  });
}

function userColumns(now: Date): Column<UserDto>[] {
  return [
    { header: 'email', value: (u) => u.email },
    { header: 'name', value: (u) => u.name },
    { header: 'platform admin', value: (u) => yesNo(u.platformAdmin) },
    { header: 'id', value: (u) => u.id },
    { header: 'age', value: (u) => formatAge(u.createdAt, now) },
  ];
}

/**
 * The key route takes a user id. An email address is looked up in the user
 * list (emails are unique case-insensitively); anything else is taken as an
 * id, and the API answers 404 (exit 3) when no user has it.
 */
async function findUser(
  client: ApiClient,
  ref: string,
): Promise<{ readonly id: string; readonly label: string }> {
  if (!ref.includes('@')) return { id: ref, label: ref };
  const wanted = ref.toLowerCase();
  const user = (await client.list<UserDto>('/v1/users')).find(
    (u) => u.email.toLowerCase() === wanted,
  );
  if (!user) {
    throw new CliError(`no user has the email address "${ref}"`, {
      exitCode: ExitCode.NotFound,
      hint: 'see `sitectl users list`, or register them with `sitectl users create`',
    });
  }
  return { id: user.id, label: user.email };
}
