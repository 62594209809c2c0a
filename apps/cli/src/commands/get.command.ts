import type { Command } from 'commander';
import type { OrganizationDto, ProjectDto, SiteDto } from '@siteops/contracts';
import type { ApiClient } from '../core/api-client';
import { ApiError } from '../core/cli-errors';
import type { CommandServices } from '../core/command-services';
import { resolvePath } from '../core/hierarchy-path';
import { chooseFormat, outputOption, writeDetails, writeList } from '../core/output';
import {
  organizationColumns,
  projectColumns,
  siteColumns,
  siteDetails,
  type ProjectRow,
  type SiteRow,
} from './hierarchy.views';

/** Parallel requests when a listing fans out over every visible organization or project. */
const FAN_OUT = 4;

/** `get orgs | projects [ORG] | sites [ORG/PROJECT] | site ORG/PROJECT/SITE`. */
export function registerGetCommands(program: Command, services: CommandServices): void {
  const { io } = services;
  const get = program.command('get').description('list or show organizations, projects and sites');

  get
    .command('orgs')
    .alias('organizations')
    .description('list the organizations you can see')
    .addOption(outputOption())
    .action(async (opts: { output?: string }, cmd: Command) => {
      const client = await services.client(cmd);
      const orgs = await client.list<OrganizationDto>('/v1/organizations');
      await writeList(
        io,
        chooseFormat(opts.output, io.stdout),
        orgs,
        organizationColumns(io.now()),
        'organizations',
      );
    });

  get
    .command('projects')
    .description('list the projects of ORG, or of every organization you can see')
    .argument('[org]', 'organization name')
    .addOption(outputOption())
    .action(async (org: string | undefined, opts: { output?: string }, cmd: Command) => {
      const client = await services.client(cmd);
      const rows = org === undefined ? await allProjects(client) : await projectsOf(client, org);
      await writeList(
        io,
        chooseFormat(opts.output, io.stdout),
        rows,
        projectColumns(io.now()),
        'projects',
        rows.map((r) => r.project),
      );
    });

  get
    .command('sites')
    .description('list the sites of ORG/PROJECT, or of every project you can see')
    .argument('[org/project]', 'project path')
    .addOption(outputOption())
    .action(async (path: string | undefined, opts: { output?: string }, cmd: Command) => {
      const client = await services.client(cmd);
      const rows = path === undefined ? await allSites(client) : await sitesOf(client, path);
      await writeList(
        io,
        chooseFormat(opts.output, io.stdout),
        rows,
        siteColumns(io.now()),
        'sites',
        rows.map((r) => r.site),
      );
    });

  get
    .command('site')
    .description('show one site')
    .argument('<org/project/site>', 'site path')
    .addOption(outputOption())
    .action(async (path: string, opts: { output?: string }, cmd: Command) => {
      const client = await services.client(cmd);
      const resolved = await resolvePath(client, path, 'site');
      const site = await client.get<SiteDto>(resolved.resourcePath);
      const row: SiteRow = {
        organization: resolved.organization.name,
        project: resolved.project?.name ?? '',
        site,
      };
      await writeDetails(
        io,
        chooseFormat(opts.output, io.stdout),
        site,
        siteDetails(row, io.now()),
      );
    });
}

async function projectsOf(client: ApiClient, orgPath: string): Promise<ProjectRow[]> {
  const org = await resolvePath(client, orgPath, 'organization');
  const projects = await client.list<ProjectDto>(`${org.resourcePath}/projects`);
  return projects.map((project) => ({ organization: org.organization.name, project }));
}

async function sitesOf(client: ApiClient, projectPath: string): Promise<SiteRow[]> {
  const resolved = await resolvePath(client, projectPath, 'project');
  const sites = await client.list<SiteDto>(`${resolved.resourcePath}/sites`);
  return sites.map((site) => ({
    organization: resolved.organization.name,
    project: resolved.target.name,
    site,
  }));
}

async function allProjects(client: ApiClient): Promise<ProjectRow[]> {
  const orgs = await client.list<OrganizationDto>('/v1/organizations');
  const perOrg = await mapInOrder(orgs, FAN_OUT, async (org) =>
    (
      await listChildren<ProjectDto>(
        client,
        `/v1/organizations/${encodeURIComponent(org.id)}/projects`,
      )
    ).map((project): ProjectRow => ({ organization: org.name, project })),
  );
  return perOrg.flat();
}

async function allSites(client: ApiClient): Promise<SiteRow[]> {
  const projects = await allProjects(client);
  const perProject = await mapInOrder(projects, FAN_OUT, async ({ organization, project }) =>
    (
      await listChildren<SiteDto>(client, `/v1/projects/${encodeURIComponent(project.id)}/sites`)
    ).map((site): SiteRow => ({ organization, project: project.name, site })),
  );
  return perProject.flat();
}

/**
 * A parent deleted between listing it and listing its children answers 404;
 * in a listing of everything that parent is simply gone, not an error.
 */
async function listChildren<T>(client: ApiClient, path: string): Promise<T[]> {
  try {
    return await client.list<T>(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return [];
    throw error;
  }
}

/** `Promise.all` with at most `limit` calls in flight; results keep the input order. */
export async function mapInOrder<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
