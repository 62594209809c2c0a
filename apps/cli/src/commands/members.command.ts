import { Option, type Command } from 'commander';
import type { MemberDto, Role } from '@siteops/contracts';
import type { ApiClient } from '../core/api-client';
import type { CommandServices } from '../core/command-services';
import { resolvePath, type ResolvedTarget } from '../core/hierarchy-path';
import { chooseFormat, outputOption, writeList, yesNo, type Column } from '../core/output';
import { ROLE_CHOICES, roleRank } from '../core/roles';

/** `members list|add|remove PATH [USER] [--role R]`; PATH is ORG, ORG/PROJECT or ORG/PROJECT/SITE. */
export function registerMembersCommands(program: Command, services: CommandServices): void {
  const { io } = services;
  const members = program
    .command('members')
    .description('list, grant and revoke roles on an organization, project or site');

  members
    .command('list')
    .description('list members of PATH, direct and inherited, with where each role was granted')
    .argument('<path>', 'ORG, ORG/PROJECT or ORG/PROJECT/SITE')
    .addOption(outputOption())
    .action(async (path: string, opts: { output?: string }, cmd: Command) => {
      const client = await services.client(cmd);
      const target = await resolvePath(client, path);
      const list = await listMembers(client, target);
      await writeList(
        io,
        chooseFormat(opts.output, io.stdout),
        list,
        memberColumns(target),
        'members',
      );
    });

  members
    .command('add')
    .description('grant USER a role on PATH (replaces a direct grant they already have there)')
    .argument('<path>', 'ORG, ORG/PROJECT or ORG/PROJECT/SITE')
    .argument('<user>', 'email address or user id')
    .addOption(
      new Option('--role <role>', 'role to grant').choices(ROLE_CHOICES).makeOptionMandatory(),
    )
    .addOption(
      outputOption(
        "print the user's memberships on PATH after the change in this format instead of a message",
      ),
    )
    .action(
      async (path: string, user: string, opts: { role: Role; output?: string }, cmd: Command) => {
        const client = await services.client(cmd);
        const target = await resolvePath(client, path);
        await client.put(memberPath(target, user), { role: opts.role });
        const rows = await membershipsOf(client, target, user);
        if (opts.output === undefined) {
          io.stdout.write(`granted ${opts.role} on ${target.level} "${target.path}" to ${user}.\n`);
        } else {
          const format = chooseFormat(opts.output, io.stdout);
          await writeList(io, format, rows, memberColumns(target), 'members');
        }
        // A lower grant never narrows an inherited one: say so rather than let the user believe it did.
        const stronger = rows.find((m) => m.inherited && roleRank(m.role) > roleRank(opts.role));
        if (stronger) {
          io.stderr.write(
            `note: ${user} keeps ${stronger.role} here, inherited from ${describeSource(target, stronger)}; the highest role applies.\n`,
          );
        }
      },
    );

  members
    .command('remove')
    .description("revoke USER's direct role on PATH")
    .argument('<path>', 'ORG, ORG/PROJECT or ORG/PROJECT/SITE')
    .argument('<user>', 'email address or user id')
    .action(async (path: string, user: string, _opts: unknown, cmd: Command) => {
      const client = await services.client(cmd);
      const target = await resolvePath(client, path);
      await client.delete(memberPath(target, user));
      io.stdout.write(`removed ${user} from ${target.level} "${target.path}".\n`);
      const remaining = (await membershipsOf(client, target, user)).sort(
        (a, b) => roleRank(b.role) - roleRank(a.role),
      )[0];
      if (remaining) {
        io.stderr.write(
          `note: ${user} still has ${remaining.role} here, granted on ${describeSource(target, remaining)}.\n`,
        );
      }
    });
}

function memberColumns(target: ResolvedTarget): Column<MemberDto>[] {
  return [
    { header: 'email', value: (m) => m.email },
    { header: 'role', value: (m) => m.role },
    { header: 'granted on', value: (m) => describeSource(target, m) },
    { header: 'inherited', value: (m) => yesNo(m.inherited) },
    { header: 'user id', value: (m) => m.userId },
  ];
}

function memberPath(target: ResolvedTarget, user: string): string {
  // The gateway takes a user id or an email address in this segment.
  return `${target.resourcePath}/members/${encodeURIComponent(user)}`;
}

function listMembers(client: ApiClient, target: ResolvedTarget): Promise<MemberDto[]> {
  return client.list<MemberDto>(`${target.resourcePath}/members`);
}

/** The rows of `user` (by email, case-insensitively, or by id) after a change; read-your-writes applies. */
async function membershipsOf(
  client: ApiClient,
  target: ResolvedTarget,
  user: string,
): Promise<MemberDto[]> {
  const wanted = user.toLowerCase();
  return (await listMembers(client, target)).filter(
    (m) => m.email.toLowerCase() === wanted || m.userId === user,
  );
}

/** `organization "acme"`: the resolve answer names every ancestor, so sources get names, not ids. */
function describeSource(target: ResolvedTarget, member: MemberDto): string {
  const { organization, project, site } = target;
  const names: [string | undefined, string][] = [
    [organization.id, organization.name],
    [project?.id, `${organization.name}/${project?.name ?? ''}`],
    [site?.id, `${organization.name}/${project?.name ?? ''}/${site?.name ?? ''}`],
  ];
  const name = names.find(([id]) => id === member.source.id)?.[1];
  return name ? `${member.source.level} "${name}"` : `${member.source.level} ${member.source.id}`;
}
