import type { Command } from 'commander';
import type { Level } from '@siteops/contracts';
import { ApiError, CliError, UsageError } from '../core/cli-errors';
import type { CommandServices } from '../core/command-services';
import { parsePath, resolvePath } from '../core/hierarchy-path';
import { confirm } from '../core/prompt';

interface DeleteKind {
  readonly command: string;
  readonly alias?: string;
  readonly level: Level;
  readonly argument: string;
  readonly children: string | undefined;
}

const KINDS: readonly DeleteKind[] = [
  {
    command: 'org',
    alias: 'organization',
    level: 'organization',
    argument: '<org>',
    children: 'its projects and sites',
  },
  { command: 'project', level: 'project', argument: '<org/project>', children: 'its sites' },
  { command: 'site', level: 'site', argument: '<org/project/site>', children: undefined },
];

/** `delete org|project|site PATH [--yes] [--cascade]`. */
export function registerDeleteCommands(program: Command, services: CommandServices): void {
  const del = program.command('delete').description('delete an organization, project or site');
  for (const kind of KINDS) {
    const sub = del
      .command(kind.command)
      .description(
        `delete a ${kind.level}${kind.children ? ` (with --cascade, also ${kind.children})` : ''}`,
      )
      .argument(kind.argument, `${kind.level} path`)
      .option('-y, --yes', 'do not ask for confirmation');
    if (kind.alias) sub.alias(kind.alias);
    if (kind.children) sub.option('--cascade', `also delete ${kind.children} (owners only)`);
    sub.action(async (path: string, opts: { yes?: true; cascade?: true }, cmd: Command) =>
      deleteResource(services, cmd, kind, path, opts.yes === true, opts.cascade === true),
    );
  }
}

async function deleteResource(
  services: CommandServices,
  cmd: Command,
  kind: DeleteKind,
  path: string,
  yes: boolean,
  cascade: boolean,
): Promise<void> {
  const { io } = services;
  parsePath(path, kind.level);
  // Checked before any request: a script must not half-run and then stall on a prompt it cannot answer.
  if (!yes && io.stdin.isTTY !== true) {
    throw new UsageError(
      `refusing to delete ${kind.level} "${path}" without confirmation: stdin is not a terminal`,
      'add --yes to delete without asking',
    );
  }
  const client = await services.client(cmd);
  const resolved = await resolvePath(client, path, kind.level);
  if (!yes) {
    const what = cascade && kind.children ? ` and all ${kind.children}` : '';
    const ok = await confirm(
      io.stdin,
      io.stderr,
      `Delete ${kind.level} "${path}"${what}? This cannot be undone.`,
    );
    if (!ok) throw new CliError('aborted: nothing was deleted');
  }
  try {
    await client.delete(resolved.resourcePath, cascade ? { cascade: 'true' } : {});
  } catch (error) {
    if (error instanceof ApiError && error.code === 'has_children' && !cascade && kind.children) {
      throw new ApiError(
        error.status,
        error.problem,
        error.message,
        `add --cascade to delete ${kind.children} too (owners only)`,
      );
    }
    throw error;
  }
  io.stdout.write(
    `${kind.level} "${path}" deleted${cascade && kind.children ? ` with ${kind.children}` : ''}.\n`,
  );
}
