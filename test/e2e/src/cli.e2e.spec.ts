import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {
  MemberDto,
  OrganizationDto,
  ProjectDto,
  SiteDto,
  UserDto,
  WhoAmIDto,
} from '@siteops/contracts';
import { ApiClient } from './support/api';
import { startPlatformProcess, type PlatformProcess } from '@siteops/testing';
import { CliUser, type CliResult } from './support/sitectl';

/*
 * The acceptance story of sitectl, driven through the real launcher
 * (apps/cli/bin/sitectl.js) against the whole platform in one child process:
 *
 *   1. the platform admin registers two users, issues each a key and creates
 *      an organization, which it hands to "owner";
 *   2. the owner builds a project with a site (and a sibling project) and
 *      makes "member" a developer on the project;
 *   3. the member's own key sees and does exactly what a project developer
 *      may (SPEC §3), and is refused the rest with the exit codes and error
 *      shape of SPEC §7 / docs/cli.md;
 *   4. once removed, the member sees nothing of it any more.
 *
 * Each step builds on the previous one, so the steps run in order on one
 * platform and a failure in one makes the later ones fail too.
 */

const ORG = 'Acme Corp';
const PROJECT = `${ORG}/Web`;
const SITE = `${PROJECT}/prod`;
const SIBLING = `${ORG}/Billing`;
const OWNER_EMAIL = 'owner@example.com';
const MEMBER_EMAIL = 'member@example.com';
const COMPOSE = 'services:\n  web:\n    image: nginx:1.27\n    expose: ["80"]\n';

/**
 * The error shape of docs/cli.md: an `error:` line, field errors, the API's
 * correlation id (only when the API answered), a hint; nothing else.
 */
const API_ERROR = /^error: .+\n(?: {2}- .+\n)*correlation id: [\w-]+\n(?:hint: .+\n)?$/;
const LOCAL_ERROR = /^error: .+\n(?:hint: .+\n)?$/;

/**
 * A refused command: its exit code, nothing on stdout, one error whose first
 * line names `message` on stderr, and no stack trace.
 */
function expectRefused(
  result: CliResult,
  exitCode: number,
  message: string,
  answeredBy: 'api' | 'sitectl' = 'api',
): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: exitCode, stdout: '' });
  expect(result.stderr).toMatch(answeredBy === 'api' ? API_ERROR : LOCAL_ERROR);
  expect(result.stderr.split('\n')[0]).toBe(`error: ${message}`);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('sitectl against the running platform', () => {
  // Undefined only when beforeAll failed to start it; afterAll must cope with that.
  let started: PlatformProcess | undefined;
  const platform = (): PlatformProcess => {
    if (!started) throw new Error('the platform did not start');
    return started;
  };
  let workDir: string;
  let composeFile: string;
  const admin = new CliUser();
  const owner = new CliUser();
  const member = new CliUser();
  const keys = { owner: '', member: '' };
  const ids = { org: '', project: '', site: '', memberUser: '' };

  beforeAll(async () => {
    started = await startPlatformProcess('cli-e2e');
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitectl-e2e-'));
    composeFile = path.join(workDir, 'compose.yaml');
    fs.writeFileSync(composeFile, COMPOSE);
  }, 90_000);

  afterAll(async () => {
    for (const user of [admin, owner, member]) user.cleanup();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    await started?.stop();
  }, 30_000);

  const login = async (user: CliUser, key: string, email: string): Promise<void> => {
    expect(await user.ok(['login', '--api-url', platform().url], { input: `${key}\n` })).toBe(
      `Logged in to ${platform().url} as ${email} (context "default").\n`,
    );
  };

  it('1. the admin registers the users, issues their keys and hands an organization to the owner', async () => {
    await login(admin, platform().adminKey, 'admin@localhost');
    const who = await admin.json<WhoAmIDto>(['whoami']);
    expect(who).toMatchObject({ user: { email: 'admin@localhost' }, platformAdmin: true });
    expect(await admin.ok(['whoami', '-o', 'table'])).toMatch(/^Platform admin\s+yes$/m);

    const ownerUser = await admin.json<UserDto>([
      'users',
      'create',
      OWNER_EMAIL,
      '--name',
      'Olga Owner',
    ]);
    expect(ownerUser).toMatchObject({
      email: OWNER_EMAIL,
      name: 'Olga Owner',
      platformAdmin: false,
    });
    expect(await admin.ok(['users', 'create', MEMBER_EMAIL, '--name', 'Max Member'])).toMatch(
      new RegExp(`^user "${MEMBER_EMAIL}" created \\(id [0-9a-f-]{36}\\)\\n$`),
    );
    const users = await admin.json<UserDto[]>(['users', 'list']);
    expect(users.map((u) => u.email).sort()).toEqual([
      'admin@localhost',
      MEMBER_EMAIL,
      OWNER_EMAIL,
    ]);
    ids.memberUser = users.find((u) => u.email === MEMBER_EMAIL)?.id ?? '';

    // By email (the lookup goes through `GET /v1/users`) and by id; the key alone on stdout.
    const ownerKey = await admin.run(['users', 'issue-key', OWNER_EMAIL.toUpperCase(), 'laptop']);
    expect(ownerKey.code).toBe(0);
    expect(ownerKey.stdout).toMatch(/^siteops_[a-z0-9]+_[\w-]+\n$/);
    expect(ownerKey.stderr).toContain(`API key "laptop" created for ${OWNER_EMAIL} (id `);
    expect(ownerKey.stderr).toContain('warning: save this key now: it will not be shown again.');
    keys.owner = ownerKey.stdout.trim();
    keys.member = (
      await admin.ok(['users', 'issue-key', ids.memberUser, 'ci', '--expires', '1d'])
    ).trim();
    expectRefused(
      await admin.run(['users', 'issue-key', 'nobody@example.com', 'laptop']),
      3,
      'no user has the email address "nobody@example.com"',
      'sitectl',
    );

    // Whoever creates an organization owns it (SPEC §3), so the admin creates
    // it and grants the owner user the owner role on it.
    const org = await admin.json<OrganizationDto>(['create', 'org', ORG]);
    ids.org = org.id;
    expect(await admin.ok(['members', 'add', ORG, OWNER_EMAIL, '--role', 'owner'])).toBe(
      `granted owner on organization "${ORG}" to ${OWNER_EMAIL}.\n`,
    );
  }, 60_000);

  it('2. the owner builds a project and a site and makes the member a developer on the project', async () => {
    await login(owner, keys.owner, OWNER_EMAIL);
    const who = await owner.json<WhoAmIDto>(['whoami']);
    expect(who).toMatchObject({ user: { email: OWNER_EMAIL }, platformAdmin: false });
    // Not a platform admin: the users commands are refused.
    expectRefused(await owner.run(['users', 'list']), 4, 'Only platform admins may do this');

    const project = await owner.json<ProjectDto>([
      'create',
      'project',
      PROJECT,
      '--description',
      'public site',
    ]);
    expect(project).toMatchObject({
      organizationId: ids.org,
      name: 'Web',
      description: 'public site',
    });
    ids.project = project.id;
    expect(await owner.ok(['create', 'site', SITE, '--compose-file', composeFile])).toMatch(
      new RegExp(`^site "${SITE}" created \\(id [0-9a-f-]{36}\\)\\n$`),
    );
    ids.site = (await owner.json<SiteDto>(['get', 'site', SITE])).id;
    await owner.ok(['create', 'project', SIBLING]);

    expect(await owner.ok(['members', 'add', PROJECT, MEMBER_EMAIL, '--role', 'developer'])).toBe(
      `granted developer on project "${PROJECT}" to ${MEMBER_EMAIL}.\n`,
    );
    const members = await owner.json<MemberDto[]>(['members', 'list', SITE]);
    expect(members).toContainEqual({
      userId: ids.memberUser,
      email: MEMBER_EMAIL,
      role: 'developer',
      source: { level: 'project', id: ids.project },
      inherited: true,
    });
    expect(members).toContainEqual(
      expect.objectContaining({
        email: OWNER_EMAIL,
        role: 'owner',
        source: { level: 'organization', id: ids.org },
        inherited: true,
      }),
    );
  }, 60_000);

  it('3. the member sees and does exactly what a project developer may', async () => {
    await login(member, keys.member, MEMBER_EMAIL);

    // Visible: the organization by name (an ancestor), the project, its site; not the sibling project.
    expect((await member.json<OrganizationDto[]>(['get', 'orgs'])).map((o) => o.name)).toEqual([
      ORG,
    ]);
    expect((await member.json<ProjectDto[]>(['get', 'projects', ORG])).map((p) => p.name)).toEqual([
      'Web',
    ]);
    expect(await member.json<SiteDto>(['get', 'site', SITE])).toMatchObject({
      id: ids.site,
      name: 'prod',
      compose: { revision: 1 },
    });
    expect(
      (await member.json<MemberDto[]>(['members', 'list', PROJECT])).map((m) => m.email),
    ).toContain(MEMBER_EMAIL);

    // Developer on the project: creates sites in it and updates them.
    expect(
      await member.ok(['create', 'site', `${PROJECT}/staging`, '--compose-file', '-'], {
        input: COMPOSE,
      }),
    ).toMatch(new RegExp(`^site "${PROJECT}/staging" created \\(id `));
    expect(
      (await member.json<SiteDto[]>(['get', 'sites', PROJECT])).map((s) => s.name).sort(),
    ).toEqual(['prod', 'staging']);
    // sitectl has no command that updates a site yet (SPEC §7 lists none), so
    // the member's key revises the compose document through the REST API.
    const revised = await new ApiClient(platform().url, keys.member).put<SiteDto>(
      `/v1/sites/${ids.site}/compose`,
      {
        compose: COMPOSE.replace('1.27', '1.28'),
      },
    );
    expect(revised.status).toBe(200);
    expect(await member.json<SiteDto>(['get', 'site', SITE])).toMatchObject({
      compose: { revision: 2 },
    });

    // Refused: what needs owner (403 → exit 4), creating in the organization
    // (developer there is needed, it only sees it by name: 403 → exit 4), and
    // anything it has no role on (404 → exit 3, existence not leaked).
    const [deleteProject, addMember, createProject, sibling, siblingSites] = await Promise.all([
      member.run(['delete', 'project', PROJECT, '--yes']),
      member.run(['members', 'add', PROJECT, OWNER_EMAIL, '--role', 'viewer']),
      member.run(['create', 'project', `${ORG}/Shop`]),
      member.run(['get', 'projects', ORG, '-o', 'json']),
      member.run(['get', 'sites', SIBLING]),
    ]);
    expectRefused(
      deleteProject,
      4,
      'This needs the owner role on project "Web"; you have the developer role there',
    );
    expectRefused(
      addMember,
      4,
      'This needs the owner role on project "Web"; you have the developer role there',
    );
    expectRefused(
      createProject,
      4,
      `This needs the developer role on organization "${ORG}"; you have no role there`,
    );
    expect((JSON.parse(sibling.stdout) as ProjectDto[]).map((p) => p.name)).not.toContain(
      'Billing',
    );
    expectRefused(siblingSites, 3, `Nothing at "${SIBLING}" that you can see`);
    // …and the same answer as for a project that does not exist.
    expectRefused(
      await member.run(['get', 'sites', `${ORG}/Nonexistent`]),
      3,
      `Nothing at "${ORG}/Nonexistent" that you can see`,
    );

    // The refusals changed nothing.
    expect(
      (await owner.json<ProjectDto[]>(['get', 'projects', ORG])).map((p) => p.name).sort(),
    ).toEqual(['Billing', 'Web']);
    expect(
      (await owner.json<MemberDto[]>(['members', 'list', PROJECT])).filter((m) => !m.inherited),
    ).toEqual([expect.objectContaining({ email: MEMBER_EMAIL, role: 'developer' })]);
  }, 60_000);

  it('4. once the owner removes the member, the member sees nothing of the organization', async () => {
    expect(await owner.ok(['members', 'remove', PROJECT, MEMBER_EMAIL])).toBe(
      `removed ${MEMBER_EMAIL} from project "${PROJECT}".\n`,
    );
    expectRefused(
      await member.run(['get', 'sites', PROJECT]),
      3,
      `Nothing at "${PROJECT}" that you can see`,
    );
    // Including the site the member created there: creating a site grants nothing.
    expectRefused(
      await member.run(['get', 'site', `${PROJECT}/staging`]),
      3,
      `Nothing at "${PROJECT}/staging" that you can see`,
    );
    expect(await member.json<OrganizationDto[]>(['get', 'orgs'])).toEqual([]);
    // The key itself still works: it is the role that went.
    expect(await member.json<WhoAmIDto>(['whoami'])).toMatchObject({
      user: { email: MEMBER_EMAIL },
    });
  }, 60_000);
});
