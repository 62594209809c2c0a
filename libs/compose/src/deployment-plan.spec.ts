import { randomUUID } from 'node:crypto';
import { composeModel } from './test/compose.fixture';
import { composeProjectName } from './compose-project';
import {
  planDeployment,
  secretClashes,
  serviceConfigHash,
  type DeploymentInput,
  type DeploymentPlan,
  type SiteSecret,
} from './deployment-plan';

const siteId = '5f0c6c1e-3d4b-4f3e-9a51-8c2f0d7b6a10';
const project = `siteops-${siteId}`;
const organizationId = '0b7a8e52-61d4-4c8e-b0f4-2f3a9c1d5e77';

const APP = `
services:
  web:
    image: registry.example.org/shop/web:1.4
    command: httpd -f -p 8080 -h /srv/www
    environment: [MODE=production, DB_PASSWORD]
    expose: ["8080"]
    ports: ["127.0.0.1:8443:8443", "9000/udp"]
    volumes: [uploads:/srv/www/uploads, "/srv/sites/shop/tls:/etc/tls:ro"]
    depends_on:
      db: { condition: service_healthy }
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 2s
      timeout: 1s
      start_period: 1m
      retries: 5
    restart: unless-stopped
    labels: { team: shop }
    user: "101:101"
    working_dir: /srv/www
  worker:
    image: registry.example.org/shop/worker:1.4
    entrypoint: [/bin/worker]
    restart: on-failure:3
  db:
    image: postgres:16
    healthcheck: { test: pg_isready }
volumes:
  uploads: { labels: { backup: nightly } }
networks:
  default: { labels: { tier: shop } }
`;

const secret = (
  name: string,
  value: string,
  version = 1,
  level: 'organization' | 'site' = 'organization',
): SiteSecret => ({
  name,
  value,
  version,
  source: { level, id: level === 'organization' ? organizationId : siteId },
});

const input = (overrides: Partial<DeploymentInput> = {}): DeploymentInput => ({
  siteId,
  deploymentId: 'd-1',
  secrets: [secret('DB_PASSWORD', 'pw-1'), secret('SMTP_HOST', 'mail.example.org')],
  ...overrides,
});

function plan(text = APP, overrides: Partial<DeploymentInput> = {}): DeploymentPlan {
  const result = planDeployment(composeModel(text), input(overrides));
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

const hashOf = (text: string, overrides: Partial<DeploymentInput> = {}, service = 'web'): string =>
  plan(text, overrides).services[service]!.configHash;

describe('compose project name', () => {
  it('derives from the site id alone, in the form docker-compose -p takes', () => {
    expect(composeProjectName(siteId)).toBe(project);
    expect(composeProjectName(siteId.toUpperCase())).toBe(project);
    expect(composeProjectName(siteId)).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    expect(composeProjectName(randomUUID())).not.toBe(project);
  });

  it('refuses anything but a site id', () => {
    expect(() => composeProjectName('shop/prod')).toThrow(TypeError);
  });
});

describe('deployment plan', () => {
  it('creates the site network and volumes with compose labels', () => {
    const { network, volumes, project: name } = plan();
    expect(name).toBe(project);
    expect(network).toEqual({
      Name: `${project}_default`,
      Driver: 'bridge',
      Labels: {
        tier: 'shop',
        'com.docker.compose.project': project,
        'com.docker.compose.network': 'default',
        'com.docker.compose.version': '1.29.2',
        'io.siteops.site-id': siteId,
      },
    });
    expect(volumes).toEqual([
      {
        Name: `${project}_uploads`,
        Labels: {
          backup: 'nightly',
          'com.docker.compose.project': project,
          'com.docker.compose.volume': 'uploads',
          'com.docker.compose.version': '1.29.2',
          'io.siteops.site-id': siteId,
        },
      },
    ]);
  });

  it('orders the services and names the exposed one', () => {
    const result = plan();
    expect(result.stages).toEqual([['worker', 'db'], ['web']]);
    expect(result.exposed).toEqual({ service: 'web', port: 8080 });
    expect(result.services['web']).toMatchObject({
      replacement: 'stop-first',
      awaits: [{ service: 'db', condition: 'service_healthy' }],
    });
    expect(result.services['db']?.replacement).toBe('start-first');
  });

  it('maps a service onto Engine create options', () => {
    const web = plan().services['web']!;
    expect(web.container).toEqual({
      name: `${project}-web-1`,
      Image: 'registry.example.org/shop/web:1.4',
      Cmd: ['httpd', '-f', '-p', '8080', '-h', '/srv/www'],
      Env: ['DB_PASSWORD=pw-1', 'MODE=production', 'SMTP_HOST=mail.example.org'],
      User: '101:101',
      WorkingDir: '/srv/www',
      ExposedPorts: { '8080/tcp': {}, '8443/tcp': {}, '9000/udp': {} },
      Healthcheck: {
        Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'],
        Interval: 2_000_000_000,
        Timeout: 1_000_000_000,
        StartPeriod: 60_000_000_000,
        Retries: 5,
      },
      Labels: {
        team: 'shop',
        'com.docker.compose.project': project,
        'com.docker.compose.service': 'web',
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
        'com.docker.compose.config-hash': web.configHash,
        'com.docker.compose.version': '1.29.2',
        'io.siteops.site-id': siteId,
        'io.siteops.deployment-id': 'd-1',
        'io.siteops.config-hash': web.configHash,
      },
      HostConfig: {
        NetworkMode: `${project}_default`,
        PortBindings: {
          '8443/tcp': [{ HostIp: '127.0.0.1', HostPort: '8443' }],
          '9000/udp': [{ HostIp: '', HostPort: '' }],
        },
        Mounts: [
          {
            Type: 'volume',
            Source: `${project}_uploads`,
            Target: '/srv/www/uploads',
            ReadOnly: false,
          },
          { Type: 'bind', Source: '/srv/sites/shop/tls', Target: '/etc/tls', ReadOnly: true },
        ],
        RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      },
      NetworkingConfig: { EndpointsConfig: { [`${project}_default`]: { Aliases: ['web'] } } },
    });
    expect(web.configHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves to the image what the document does not set', () => {
    const worker = plan().services['worker']!.container;
    expect(worker).toMatchObject({
      Entrypoint: ['/bin/worker'],
      Env: ['DB_PASSWORD=pw-1', 'SMTP_HOST=mail.example.org'],
      ExposedPorts: {},
    });
    expect(worker.Cmd).toBeUndefined();
    expect(worker.Healthcheck).toBeUndefined();
    expect(worker.User).toBeUndefined();
    expect(worker.HostConfig?.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(plan().services['db']?.container.Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'pg_isready'],
    });
  });

  it('names containers by the given number and runs the images the deployer resolved', () => {
    const digest = `registry.example.org/shop/web@sha256:${'b'.repeat(64)}`;
    const web = plan(APP, { containerNumbers: { web: 2 }, images: { web: digest } }).services[
      'web'
    ]!.container;
    expect(web.name).toBe(`${project}-web-2`);
    expect(web.Labels?.['com.docker.compose.container-number']).toBe('2');
    expect(web.Image).toBe(digest);
  });

  it('tags a build without an image after the project and the service', () => {
    const built = plan('services:\n  My_App:\n    build: /srv/sites/shop/app\n').services['My_App']!
      .container;
    expect(built.Image).toBe(`${project}-my-app`);
  });

  it('refuses an environment name that is also a secret, naming each place', () => {
    const text = APP.replace(
      '\nvolumes:\n',
      '\n  extra:\n    image: x\n    environment: { SMTP_HOST: localhost, DB_PASSWORD: }\nvolumes:\n',
    );
    const result = planDeployment(composeModel(text), input());
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          field: 'services.extra.environment.SMTP_HOST',
          message: expect.stringMatching(/^is also a secret of this site/) as unknown,
        },
      ],
    });
    expect(secretClashes(composeModel(text), ['MODE', 'SMTP_HOST']).map((e) => e.field)).toEqual([
      'services.web.environment.MODE',
      'services.extra.environment.SMTP_HOST',
    ]);
  });

  it('leaves out a variable declared without a value when no secret provides it, as compose leaves it unset', () => {
    expect(plan(APP, { secrets: [] }).services['web']?.container.Env).toEqual(['MODE=production']);
  });
});

describe('config hash', () => {
  const base = hashOf(APP);

  it('is the same for the same definition, however it is written or deployed', () => {
    const rewritten = APP.replace(
      'environment: [MODE=production, DB_PASSWORD]',
      'environment: { DB_PASSWORD: , MODE: production }',
    )
      .replace(
        'command: httpd -f -p 8080 -h /srv/www',
        'command: [httpd, -f, -p, "8080", -h, /srv/www]',
      )
      .replace('interval: 2s', 'interval: 2000ms')
      .replace('labels: { team: shop }', 'labels: [team=shop]');
    expect(rewritten).not.toBe(APP);
    expect(hashOf(rewritten)).toBe(base);
    expect(hashOf(APP, { deploymentId: 'd-2', containerNumbers: { web: 3 } })).toBe(base);
    expect(hashOf(APP, { secrets: [...input().secrets].reverse() })).toBe(base);
    expect(serviceConfigHash(composeModel(APP), 'web', input())).toBe(base);
  });

  it.each<[string, string, Partial<DeploymentInput>?]>([
    ['the image', APP.replace('web:1.4', 'web:1.5')],
    ['an environment value', APP.replace('MODE=production', 'MODE=staging')],
    ['the command', APP.replace('-p 8080', '-p 8081')],
    ['a port', APP.replace('"9000/udp"', '"9001/udp"')],
    ['a mount', APP.replace('/etc/tls:ro', '/etc/tls')],
    ['the healthcheck', APP.replace('retries: 5', 'retries: 6')],
    ['the restart policy', APP.replace('restart: unless-stopped', 'restart: always')],
    ['a label', APP.replace('team: shop', 'team: books')],
    ['the user', APP.replace('"101:101"', '"102:101"')],
    [
      'the build',
      APP.replace(
        'image: registry.example.org/shop/web:1.4',
        'image: registry.example.org/shop/web:1.4\n    build: /srv/sites/shop/web',
      ),
    ],
    [
      'the resolved image',
      APP,
      { images: { web: `registry.example.org/shop/web@sha256:${'c'.repeat(64)}` } },
    ],
    [
      'a secret version',
      APP,
      { secrets: [secret('DB_PASSWORD', 'pw-2', 2), secret('SMTP_HOST', 'mail.example.org')] },
    ],
    [
      'the level a secret comes from, at an equal version',
      APP,
      {
        secrets: [
          secret('DB_PASSWORD', 'pw-site', 1, 'site'),
          secret('SMTP_HOST', 'mail.example.org'),
        ],
      },
    ],
    ['a secret added', APP, { secrets: [...input().secrets, secret('API_TOKEN', 't')] }],
    ['a secret removed', APP, { secrets: [secret('SMTP_HOST', 'mail.example.org')] }],
    ['the site', APP, { siteId: randomUUID() }],
  ])('changes with %s', (_case, text, overrides = {}) => {
    expect(hashOf(text, overrides)).not.toBe(base);
  });

  it('does not change with what does not reach the container', () => {
    expect(
      hashOf(
        APP.replace('db: { condition: service_healthy }', 'db: { condition: service_started }'),
      ),
    ).toBe(base);
    expect(hashOf(APP.replace('/shop/worker:1.4', '/shop/worker:1.5'))).toBe(base);
    expect(hashOf(APP.replace('backup: nightly', 'backup: weekly'))).toBe(base);
  });

  it('never carries a secret value: only versions and sources enter it', () => {
    // A value changes with its version (every set is a new version), so the value itself is not needed.
    expect(
      hashOf(APP, {
        secrets: [secret('DB_PASSWORD', 'another value'), secret('SMTP_HOST', 'mail.example.org')],
      }),
    ).toBe(base);
    const web = plan().services['web']!.container;
    const { Env: _env, ...everythingButEnv } = web;
    expect(JSON.stringify(everythingButEnv)).not.toContain('pw-1');
  });
});
