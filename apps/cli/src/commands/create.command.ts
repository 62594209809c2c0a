import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ApiBody, OrganizationDto, ProjectDto, SiteDto } from '@siteops/contracts';
import { CliError, errorMessage } from '../core/cli-errors';
import type { CommandServices } from '../core/command-services';
import { parsePath, resolvePath } from '../core/hierarchy-path';
import { PRINT_CREATED, outputOption, writeCreated, writeList } from '../core/output';
import { readAll } from '../core/prompt';
import { organizationColumns, projectColumns, siteColumns } from './hierarchy.views';

/** `create org NAME | project ORG/NAME | site ORG/PROJECT/NAME`. */
export function registerCreateCommands(program: Command, services: CommandServices): void {
  const { io } = services;
  const create = program.command('create').description('create an organization, project or site');

  create
    .command('org')
    .alias('organization')
    .description('create an organization (you become its owner)')
    .argument('<name>', 'organization name')
    .addOption(outputOption(PRINT_CREATED))
    .action(async (name: string, opts: { output?: string }, cmd: Command) => {
      const client = await services.client(cmd);
      const body: ApiBody<'createOrganization'> = { name };
      const org = await client.post<OrganizationDto>('/v1/organizations', body);
      await writeCreated(
        io,
        opts.output,
        `organization "${org.name}" created (id ${org.id})`,
        (format) =>
          writeList(io, format, [org], organizationColumns(io.now()), 'organizations', org),
      );
    });

  create
    .command('project')
    .description('create a project in an organization')
    .argument('<org/name>', 'organization and new project name')
    .option('--description <text>', 'what the project is')
    .addOption(outputOption(PRINT_CREATED))
    .action(async (path: string, opts: { description?: string; output?: string }, cmd: Command) => {
      const [orgName, name] = parsePath(path, 'project').segments as [string, string];
      const client = await services.client(cmd);
      const org = await resolvePath(client, orgName, 'organization');
      const body: ApiBody<'createProject'> = {
        name,
        ...(opts.description === undefined ? {} : { description: opts.description }),
      };
      const project = await client.post<ProjectDto>(`${org.resourcePath}/projects`, body);
      const row = { organization: org.organization.name, project };
      await writeCreated(
        io,
        opts.output,
        `project "${org.organization.name}/${project.name}" created (id ${project.id})`,
        (format) => writeList(io, format, [row], projectColumns(io.now()), 'projects', project),
      );
    });

  create
    .command('site')
    .description('create a site in a project from a compose file')
    .argument('<org/project/name>', 'project path and new site name')
    .requiredOption('--compose-file <file>', 'Docker Compose file for the site (- reads stdin)')
    .option('--environment <label>', 'environment label (default: the site name)')
    .option('--auto-deploy', 'redeploy automatically when secrets or compose change')
    .addOption(outputOption(PRINT_CREATED))
    .action(
      async (
        path: string,
        opts: { composeFile: string; environment?: string; autoDeploy?: true; output?: string },
        cmd: Command,
      ) => {
        const [orgName, projectName, name] = parsePath(path, 'site').segments as [
          string,
          string,
          string,
        ];
        // Read the file before any request: a typo in the path should cost nothing.
        const compose = await readCompose(services, opts.composeFile);
        const client = await services.client(cmd);
        const project = await resolvePath(client, `${orgName}/${projectName}`, 'project');
        const body: ApiBody<'createSite'> = {
          name,
          compose,
          ...(opts.environment === undefined ? {} : { environment: opts.environment }),
          ...(opts.autoDeploy ? { autoDeploy: true } : {}),
        };
        const site = await client.post<SiteDto>(`${project.resourcePath}/sites`, body);
        const sitePath = `${project.organization.name}/${project.target.name}/${site.name}`;
        const row = { organization: project.organization.name, project: project.target.name, site };
        await writeCreated(
          io,
          opts.output,
          `site "${sitePath}" created (id ${site.id})`,
          (format) => writeList(io, format, [row], siteColumns(io.now()), 'sites', site),
        );
      },
    );
}

async function readCompose(services: CommandServices, file: string): Promise<string> {
  if (file === '-') return readAll(services.io.stdin);
  const path = resolve(services.io.cwd, file);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read compose file ${path}: ${errorMessage(error)}`);
  }
}
