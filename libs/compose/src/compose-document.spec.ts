import type { FieldError } from '@siteops/contracts';
import type { ComposeModel, ComposeService } from './compose.model';
import { stringify } from 'yaml';
import { describeFieldError, parseCompose, prefixFieldErrors } from './compose-document';
import { planDeployment } from './deployment-plan';

const ROOT = '/srv/sites';

function errorsOf(text: string, bindMountRoot: string | null = ROOT): FieldError[] {
  const result = parseCompose(text, { bindMountRoot });
  return result.ok ? [] : result.errors;
}

function modelOf(text: string, bindMountRoot: string | null = ROOT): ComposeModel {
  const result = parseCompose(text, { bindMountRoot });
  if (!result.ok)
    throw new Error(`expected a valid document, got ${JSON.stringify(result.errors)}`);
  return result.model;
}

function serviceOf(text: string, name = 'web'): ComposeService {
  const service = modelOf(text).services[name];
  if (!service) throw new Error(`no service ${name}`);
  return service;
}

const indent = (lines: string, by: number): string =>
  lines
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => `${' '.repeat(by)}${line}\n`)
    .join('');

/** A document with one service `web` (image nginx), plus `lines` in it. */
const web = (lines = '', rest = ''): string =>
  `services:\n  web:\n    image: nginx:1.27\n${indent(lines, 4)}${rest}`;

describe('compose validation errors', () => {
  // [case, document, expected errors: field and a pattern of the message]
  const cases: [string, string, [string, RegExp][]][] = [
    // Keys outside the supported set, each named with its path.
    [
      'an unsupported service key',
      web('privileged: true'),
      [['services.web.privileged', /^is not supported \(a service may have: build, command, /]],
    ],
    [
      'env_file, with the fix',
      web('env_file: .env'),
      [['services.web.env_file', /^is not supported: keep those values in siteops secrets/]],
    ],
    [
      'compose secrets in a service',
      web('secrets: [db]'),
      [
        [
          'services.web.secrets',
          /^is not supported: siteops secrets .* are injected as environment variables/,
        ],
      ],
    ],
    [
      'top-level compose secrets',
      web('', 'secrets:\n  db: { file: ./db }\n'),
      [['secrets', /^is not supported: siteops secrets/]],
    ],
    [
      'an unsupported top-level key',
      web('', 'configs: {}\n'),
      [
        [
          'configs',
          /^is not supported \(a compose document may have: services, volumes, networks, version, name\)/,
        ],
      ],
    ],
    [
      'service networks',
      web('networks: [back]'),
      [
        [
          'services.web.networks',
          /^is not supported: every service joins the site’s default network/,
        ],
      ],
    ],
    [
      'container_name',
      web('container_name: www'),
      [['services.web.container_name', /^is not supported: siteops names containers/]],
    ],
    [
      'a network other than default',
      web('', 'networks:\n  back: {}\n'),
      [['networks.back', /^is not supported: a site has one network, default/]],
    ],
    [
      'an external network',
      web('', 'networks:\n  default: { external: true }\n'),
      [['networks.default.external', /^is not supported/]],
    ],
    [
      'an external volume',
      web('', 'volumes:\n  data: { external: true }\n'),
      [['volumes.data.external', /^is not supported: a site’s volumes are its own/]],
    ],
    [
      'a volume driver',
      web('', 'volumes:\n  data: { driver: local, driver_opts: { device: /etc } }\n'),
      [
        ['volumes.data.driver', /^is not supported/],
        ['volumes.data.driver_opts', /^is not supported/],
      ],
    ],
    [
      'a nested unsupported key',
      web('build: { context: /srv/sites/app, args: { A: b } }'),
      [['services.web.build.args', /^is not supported$/]],
    ],
    // image and build
    [
      'neither image nor build',
      'services:\n  web:\n    command: sleep 1\n',
      [['services.web.image', /^is required, unless the service has a build$/]],
    ],
    [
      'an upper-case image',
      'services:\n  web:\n    image: Nginx:1.27\n',
      [['services.web.image', /^must be an image reference such as nginx:1.27/]],
    ],
    [
      'an image with a space',
      'services:\n  web:\n    image: "nginx 1.27"\n',
      [['services.web.image', /^must be an image reference/]],
    ],
    [
      'a relative build context',
      'services:\n  web:\n    build: .\n',
      [
        [
          'services.web.build',
          /^must be an absolute path on the deployer host .* or a Git or HTTP URL$/,
        ],
      ],
    ],
    [
      'a build context outside the root',
      'services:\n  web:\n    build: { context: /home/app, dockerfile: Dockerfile }\n',
      [
        [
          'services.web.build',
          /^uses the context \/home\/app, which is outside the allowed root \/srv\/sites$/,
        ],
      ],
    ],
    // command, entrypoint
    ['an empty command', web('command: []'), [['services.web.command', /^must not be empty$/]]],
    [
      'an unclosed quote',
      web('command: sh -c "echo hi'),
      [['services.web.command', /^has an unclosed double quote$/]],
    ],
    [
      'a command that is a number',
      web('entrypoint: 42'),
      [['services.web.entrypoint', /^must be a command line, or a list of arguments$/]],
    ],
    [
      'variable substitution',
      web('command: echo $HOME'),
      [
        [
          'services.web.command',
          /^uses \$ variable substitution, which siteops does not do: .*write \$\$ for a literal \$$/,
        ],
      ],
    ],
    [
      'braced substitution in a list',
      web('command: ["echo", "${HOME}"]'),
      [['services.web.command.1', /^uses \$ variable substitution/]],
    ],
    [
      'a NUL character',
      web('user: "a\\u0000b"'),
      [['services.web.user', /^must not contain NUL characters$/]],
    ],
    // environment
    [
      'a variable set twice',
      web('environment: [A=1, B=2, A=3]'),
      [['services.web.environment.2', /^sets A a second time$/]],
    ],
    [
      'an environment item without a name',
      web('environment: ["=1"]'),
      [['services.web.environment.0', /^must start with a name/]],
    ],
    [
      'a nested environment value',
      web('environment: { A: { b: c } }'),
      [['services.web.environment.A', /^must be a string, a number, true\/false, or nothing$/]],
    ],
    [
      'environment as a string',
      web('environment: A=1'),
      [['services.web.environment', /^must be a mapping of NAME: value, or a list of NAME=value$/]],
    ],
    [
      'a variable name with =',
      web('environment: { "A=B": c }'),
      [['services.web.environment.A=B', /^must be a variable name/]],
    ],
    // ports and expose
    [
      'a port that is not one',
      web('ports: [http]'),
      [['services.web.ports.0', /^must be a port mapping such as "80", "8080:80"/]],
    ],
    [
      'a port above 65535',
      web('ports: ["70000:80"]'),
      [['services.web.ports.0', /^must use host ports from 1 to 65535/]],
    ],
    ['port 0', web('ports: ["0"]'), [['services.web.ports.0', /^must use ports from 1 to 65535/]]],
    [
      'ranges of different sizes',
      web('ports: ["8000-8001:80-82"]'),
      [
        [
          'services.web.ports.0',
          /^must map a container port range onto a host range of the same size$/,
        ],
      ],
    ],
    [
      'an unknown protocol',
      web('ports: ["80/icmp"]'),
      [['services.web.ports.0', /^must use the protocol tcp, udp or sctp$/]],
    ],
    [
      'a bad host address',
      web('ports: ["300.1.1.1:80:80"]'),
      [['services.web.ports.0', /^must start with a valid host address/]],
    ],
    [
      'IPv6 without brackets',
      web('ports: ["::1:80:80"]'),
      [['services.web.ports.0', /^must be a port mapping/]],
    ],
    [
      'a long-syntax port with mode',
      web('ports: [{ target: 80, published: 8080, mode: host }]'),
      [['services.web.ports.0.mode', /^is not supported$/]],
    ],
    [
      'a long-syntax port without target',
      web('ports: [{ published: 8080 }]'),
      [['services.web.ports.0.target', /^is required$/]],
    ],
    [
      'a long-syntax bad host_ip',
      web('ports: [{ target: 80, host_ip: localhost }]'),
      [['services.web.ports.0', /^host_ip must be an IPv4 address or an IPv6 address$/]],
    ],
    [
      'an exposed port 0',
      web('expose: ["0"]'),
      [['services.web.expose.0', /^must be a port from 1 to 65535/]],
    ],
    [
      'expose as a string',
      web('expose: "80"'),
      [['services.web.expose', /^must be a list of ports$/]],
    ],
    // volumes
    [
      'an anonymous volume',
      web('volumes: [/data]'),
      [
        [
          'services.web.volumes.0',
          /^is an anonymous volume, .*name it \(name:\/path\) and declare it under the top-level volumes$/,
        ],
      ],
    ],
    [
      'a relative bind mount',
      web('volumes: ["./data:/data"]'),
      [
        [
          'services.web.volumes.0',
          /^uses the relative path \.\/data: a bind mount needs an absolute path/,
        ],
      ],
    ],
    [
      'a home-relative bind mount',
      web('volumes: ["~/data:/data"]'),
      [['services.web.volumes.0', /^uses the relative path ~\/data/]],
    ],
    [
      'an undeclared volume',
      web('volumes: ["data:/data"]'),
      [
        [
          'services.web.volumes.0',
          /^names the volume data, which is not declared under the top-level volumes$/,
        ],
      ],
    ],
    [
      'an unsupported mode',
      web('volumes: ["data:/data:z"]', 'volumes:\n  data:\n'),
      [['services.web.volumes.0', /^uses the mode z: the supported modes are ro and rw$/]],
    ],
    [
      'a relative target',
      web('volumes: ["data:data"]', 'volumes:\n  data:\n'),
      [['services.web.volumes.0', /^must mount at an absolute path in the container$/]],
    ],
    [
      'a tmpfs mount',
      web('volumes: [{ type: tmpfs, target: /tmp }]'),
      [['services.web.volumes.0.type', /^must be volume or bind$/]],
    ],
    [
      'a bind mount given a volume name',
      web('volumes: [{ type: bind, source: data, target: /data }]', 'volumes:\n  data:\n'),
      [['services.web.volumes.0', /^has type bind, but data is a volume name$/]],
    ],
    [
      'a long-syntax volume option',
      web(
        'volumes: [{ type: volume, source: data, target: /data, volume: { nocopy: true } }]',
        'volumes:\n  data:\n',
      ),
      [['services.web.volumes.0.volume', /^is not supported$/]],
    ],
    [
      'two mounts at one target',
      web('volumes: ["data:/data", "/srv/sites/a:/data"]', 'volumes:\n  data:\n'),
      [['services.web.volumes.1', /^mounts a second volume at \/data$/]],
    ],
    [
      'a bind mount outside the root',
      web('volumes: ["/etc:/host-etc:ro"]'),
      [
        [
          'services.web.volumes.0',
          /^mounts \/etc, which is outside the allowed root \/srv\/sites$/,
        ],
      ],
    ],
    [
      'a bind mount climbing out of the root',
      web('volumes: ["/srv/sites/../../etc:/x"]'),
      [['services.web.volumes.0', /^mounts \/etc, which is outside/]],
    ],
    [
      'a bind mount beside the root',
      web('volumes: ["/srv/sites-other/x:/x"]'),
      [['services.web.volumes.0', /^mounts \/srv\/sites-other\/x, which is outside/]],
    ],
    [
      'an invalid volume name',
      web('', 'volumes:\n  "-data": {}\n'),
      [['volumes.-data', /^must be a volume name/]],
    ],
    // depends_on
    [
      'an unknown dependency',
      web('depends_on: [db]'),
      [['services.web.depends_on', /^names db, which is not a service of this document$/]],
    ],
    [
      'a dependency on itself',
      web('depends_on: [web]'),
      [['services.web.depends_on', /^names the service itself$/]],
    ],
    [
      'a dependency named twice',
      `${web('depends_on: [db, db]')}  db:\n    image: postgres\n`,
      [['services.web.depends_on.1', /^names db a second time$/]],
    ],
    [
      'a dependency cycle',
      'services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    depends_on: [a]\n',
      [['services.a.depends_on', /^forms a cycle: a → b → c → a$/]],
    ],
    [
      'an unknown condition',
      `${web('depends_on: { db: { condition: service_ready } }')}  db:\n    image: postgres\n`,
      [
        [
          'services.web.depends_on.db.condition',
          /^must be one of service_started, service_healthy, service_completed_successfully$/,
        ],
      ],
    ],
    [
      'a dependency option',
      `${web('depends_on: { db: { condition: service_started, restart: true } }')}  db:\n    image: postgres\n`,
      [['services.web.depends_on.db.restart', /^is not supported$/]],
    ],
    [
      'waiting for health of a service that disables it',
      `${web('depends_on: { db: { condition: service_healthy } }')}  db:\n    image: postgres\n    healthcheck: { disable: true }\n`,
      [
        [
          'services.web.depends_on',
          /^waits for db to be healthy, but db disables its healthcheck$/,
        ],
      ],
    ],
    // healthcheck
    [
      'a CMD test without a program',
      web('healthcheck: { test: [CMD] }'),
      [['services.web.healthcheck.test', /^must be a shell command, \["CMD", program, args…\]/]],
    ],
    [
      'a test of an unknown kind',
      web('healthcheck: { test: [curl, localhost] }'),
      [['services.web.healthcheck.test', /^must be a shell command/]],
    ],
    [
      'an empty test',
      web('healthcheck: { test: "" }'),
      [['services.web.healthcheck.test', /^must not be empty$/]],
    ],
    [
      'a duration without a unit',
      web('healthcheck: { test: "true", interval: "10" }'),
      [['services.web.healthcheck.interval', /^must be a duration such as 30s, 1m30s or 500ms$/]],
    ],
    [
      'a duration as a number',
      web('healthcheck: { test: "true", timeout: 10 }'),
      [['services.web.healthcheck.timeout', /^must be a string$/]],
    ],
    [
      'units out of order',
      web('healthcheck: { test: "true", interval: 30s1m }'),
      [['services.web.healthcheck.interval', /^must be a duration/]],
    ],
    [
      'a duration under 1ms',
      web('healthcheck: { test: "true", start_period: 500us }'),
      [
        [
          'services.web.healthcheck.start_period',
          /^must be 0 \(the image’s setting\) or at least 1ms$/,
        ],
      ],
    ],
    [
      'negative retries',
      web('healthcheck: { test: "true", retries: -1 }'),
      [['services.web.healthcheck.retries', /^must not be negative$/]],
    ],
    [
      'fractional retries',
      web('healthcheck: { test: "true", retries: 1.5 }'),
      [['services.web.healthcheck.retries', /^must be a whole number$/]],
    ],
    [
      'disable with a test',
      web('healthcheck: { disable: true, test: "true" }'),
      [
        [
          'services.web.healthcheck',
          /^disable: true cannot be combined with other healthcheck settings$/,
        ],
      ],
    ],
    [
      'start_interval',
      web('healthcheck: { test: "true", start_interval: 1s }'),
      [['services.web.healthcheck.start_interval', /^is not supported$/]],
    ],
    // restart, user, working_dir, labels
    [
      'an unknown restart policy',
      web('restart: sometimes'),
      [
        [
          'services.web.restart',
          /^must be one of no, always, on-failure, unless-stopped or on-failure:<max retries>/,
        ],
      ],
    ],
    ['restart: false', web('restart: false'), [['services.web.restart', /^must be a string$/]]],
    [
      'a relative working_dir',
      web('working_dir: app'),
      [['services.web.working_dir', /^must be an absolute path$/]],
    ],
    [
      'a user that is a mapping',
      web('user: { uid: 1 }'),
      [['services.web.user', /^is not valid$/]],
    ],
    [
      'a compose label',
      web('labels: { com.docker.compose.project: other }'),
      [
        [
          'services.web.labels.com.docker.compose.project',
          /^is reserved: siteops sets the com\.docker\.compose\.\* and io\.siteops\.\* labels itself$/,
        ],
      ],
    ],
    [
      'a siteops label',
      web('labels: ["io.siteops.site-id=00000000-0000-0000-0000-000000000000"]'),
      [['services.web.labels.io.siteops.site-id', /^is reserved/]],
    ],
    [
      'an expose label that is not a port',
      web('labels: { io.siteops.expose: http }'),
      [
        [
          'services.web.labels.io.siteops.expose',
          /^must be the container port the edge proxies to, from 1 to 65535$/,
        ],
      ],
    ],
    [
      'two exposed services',
      `${web('labels: { io.siteops.expose: "80" }')}  api:\n    image: x\n    labels: { io.siteops.expose: "8080" }\n`,
      [
        [
          'services.api.labels.io.siteops.expose',
          /^is already set on web: a site exposes one service$/,
        ],
      ],
    ],
    // the document's shape
    ['no services', 'volumes: {}\n', [['services', /^is required$/]]],
    [
      'services as a list',
      'services:\n  - web\n',
      [['services', /^must be a mapping of service names to services$/]],
    ],
    [
      'services as a scalar',
      'services: nginx\n',
      [['services', /^must be a mapping of service names to services$/]],
    ],
    [
      'an empty service',
      'services:\n  web:\n',
      [['services.web', /^must be a mapping of service settings$/]],
    ],
    [
      'a service name with a space',
      'services:\n  my web:\n    image: nginx\n',
      [['services.my web', /^must be a service name: letters, digits, _ \. -/]],
    ],
    ['a document that is a list', '[web]', [['', /^must be a YAML mapping with a services key$/]]],
    [
      'a document that is empty',
      '# only a comment\n',
      [['', /^must be a YAML mapping with a services key$/]],
    ],
    ['a name that is not a string', web('', 'name: 5\n'), [['name', /^must be a string$/]]],
  ];

  it.each(cases)('reports %s', (_case, text, expected) => {
    expect(errorsOf(text)).toEqual(
      expected.map(([field, message]) => ({
        field,
        message: expect.stringMatching(message) as unknown,
      })),
    );
  });

  it('reports every problem of a document at once', () => {
    const text = web('env_file: .env\nprivileged: true\nports: ["http"]', 'configs: {}\n');
    expect(
      errorsOf(text)
        .map((e) => e.field)
        .sort(),
    ).toEqual([
      'configs',
      'services.web.env_file',
      'services.web.ports.0',
      'services.web.privileged',
    ]);
  });

  it('checks bind mounts and build contexts against the root only when one is given', () => {
    const text = web('volumes: ["/etc/ssl:/etc/ssl:ro"]\nbuild: /home/app');
    expect(errorsOf(text, null)).toEqual([]);
    expect(errorsOf(text, '/srv/sites').map((e) => e.field)).toEqual([
      'services.web.build',
      'services.web.volumes.0',
    ]);
    expect(errorsOf(web('volumes: ["/srv/sites:/all"]'), '/srv/sites')).toEqual([]);
    expect(errorsOf(web('volumes: ["/srv/sites/a/b/:/b"]'), '/srv/sites/')).toEqual([]);
    expect(() => parseCompose(text, { bindMountRoot: 'srv' })).toThrow(TypeError);
  });
});

describe('YAML problems', () => {
  it('reports a syntax error with its line and column, without quoting the document', () => {
    const [error, ...more] = errorsOf('services:\n  web:\n    image: nginx\n   ports: [80\n');
    expect(more).toEqual([]);
    expect(error?.field).toBe('');
    expect(error?.message).toMatch(/^[^\n]+ at line \d+, column \d+$/);
    expect(error?.message).not.toContain('nginx');
    expect(errorsOf('a: b: c')).toEqual([
      {
        field: '',
        message: 'Nested mappings are not allowed in compact mappings at line 1, column 4',
      },
    ]);
  });

  it.each([
    [
      'duplicate keys',
      'services: {}\nservices: {}\n',
      /^Map keys must be unique at line 2, column 1$/,
    ],
    ['several documents', 'services: {}\n---\nservices: {}\n', /multiple documents/],
    [
      'an unknown tag',
      'services: !!js/function "function(){}"\n',
      /^Unresolved tag: tag:yaml.org,2002:js\/function at line 1, column 11$/,
    ],
    ['an unknown YAML version', '%YAML 9.9\n---\nservices: {}\n', /^Unsupported YAML version 9.9/],
    ['an unresolved alias', 'services: *missing\n', /^Unresolved alias/],
    [
      'an alias bomb',
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nservices: *d\n',
      /^Excessive alias count/,
    ],
  ])('refuses %s', (_case, text, message) => {
    expect(errorsOf(text)).toEqual([
      { field: '', message: expect.stringMatching(message) as unknown },
    ]);
  });

  it('names a collection used as a key like any unsupported key, without a warning on stderr', () => {
    const warn = jest.spyOn(process, 'emitWarning');
    expect(errorsOf('? [a, b]\n: c\nservices: {}\n').map((e) => e.field)).toEqual(['[ a, b ]']);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('reads a byte-order mark, merge keys and x- extensions as compose does', () => {
    const text = [
      '\ufeffx-defaults: &defaults',
      '  image: nginx:1.27',
      '  restart: always',
      'services:',
      '  web:',
      '    <<: *defaults',
      '    x-note: ignored',
      '    user: "1000"',
    ].join('\n');
    expect(serviceOf(text)).toMatchObject({
      image: 'nginx:1.27',
      restart: { name: 'always', maximumRetryCount: 0 },
      user: '1000',
    });
  });
});

describe('the validated model', () => {
  it('accepts an empty services mapping, version and name (which siteops ignores)', () => {
    expect(modelOf('services: {}\n')).toEqual({
      services: {},
      volumes: {},
      network: { labels: {} },
    });
    expect(modelOf('version: "3.8"\nname: shop\nservices: {}\n')).toEqual({
      services: {},
      volumes: {},
      network: { labels: {} },
    });
    expect(modelOf('version: 3\nservices: {}\n').services).toEqual({});
  });

  it('expands every supported key into one normalized form', () => {
    const text = `
services:
  web:
    image: registry.example.org:5000/team/app:1.2@sha256:${'a'.repeat(64)}
    build: { context: /srv/sites/app/, dockerfile: docker/Dockerfile }
    command: sh -c 'echo "$$HOME" && exec httpd -f'
    entrypoint: ["/bin/tini", "--"]
    environment:
      MODE: production
      WORKERS: 4
      DEBUG: false
      FROM_SECRET:
    ports:
      - 80
      - "127.0.0.1:8443:443"
      - "[::1]::9000/udp"
      - "9100-9101:9100-9101"
      - { target: 7000, published: "7000-7010", host_ip: 0.0.0.0, protocol: sctp }
    expose: ["8080", "5000-5001/udp"]
    volumes:
      - data:/var/lib/data
      - /srv/sites/app/config/:/etc/app:ro
      - { type: volume, source: cache, target: /cache, read_only: true }
    depends_on:
      db: { condition: service_healthy }
      cache:
    healthcheck:
      test: wget -q -O /dev/null http://localhost:8080/
      interval: 1m30s
      timeout: 2.5s
      start_period: 500ms
      retries: 3
    restart: on-failure:5
    labels: [team=shop, io.siteops.expose=8080, empty]
    user: 1000
    working_dir: /app/
  db:
    image: postgres:16
    healthcheck: { test: ["CMD", "pg_isready"] }
  cache:
    image: redis:7
    healthcheck: { disable: true }
volumes:
  data:
  cache: { labels: { backup: nightly } }
networks:
  default: { labels: { tier: front } }
`;
    const model = modelOf(text);
    expect(Object.keys(model.services)).toEqual(['web', 'db', 'cache']);
    expect(model.volumes).toEqual({
      data: { labels: {} },
      cache: { labels: { backup: 'nightly' } },
    });
    expect(model.network).toEqual({ labels: { tier: 'front' } });
    expect(model.services['web']).toEqual({
      name: 'web',
      image: `registry.example.org:5000/team/app:1.2@sha256:${'a'.repeat(64)}`,
      build: { context: '/srv/sites/app', dockerfile: 'docker/Dockerfile' },
      command: ['sh', '-c', 'echo "$HOME" && exec httpd -f'],
      entrypoint: ['/bin/tini', '--'],
      environment: { MODE: 'production', WORKERS: '4', DEBUG: 'false', FROM_SECRET: null },
      ports: [
        { target: 80, protocol: 'tcp', hostIp: null, published: null },
        { target: 443, protocol: 'tcp', hostIp: '127.0.0.1', published: '8443' },
        { target: 9000, protocol: 'udp', hostIp: '::1', published: null },
        { target: 9100, protocol: 'tcp', hostIp: null, published: '9100' },
        { target: 9101, protocol: 'tcp', hostIp: null, published: '9101' },
        { target: 7000, protocol: 'sctp', hostIp: '0.0.0.0', published: '7000-7010' },
      ],
      expose: [
        { port: 8080, protocol: 'tcp' },
        { port: 5000, protocol: 'udp' },
        { port: 5001, protocol: 'udp' },
      ],
      volumes: [
        { type: 'volume', source: 'data', target: '/var/lib/data', readOnly: false },
        { type: 'bind', source: '/srv/sites/app/config', target: '/etc/app', readOnly: true },
        { type: 'volume', source: 'cache', target: '/cache', readOnly: true },
      ],
      dependsOn: { db: 'service_healthy', cache: 'service_started' },
      healthcheck: {
        test: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:8080/'],
        intervalNs: 90_000_000_000,
        timeoutNs: 2_500_000_000,
        startPeriodNs: 500_000_000,
        retries: 3,
      },
      restart: { name: 'on-failure', maximumRetryCount: 5 },
      labels: { team: 'shop', 'io.siteops.expose': '8080', empty: '' },
      user: '1000',
      workingDir: '/app',
    });
    expect(model.services['db']?.healthcheck).toEqual({
      test: ['CMD', 'pg_isready'],
      intervalNs: null,
      timeoutNs: null,
      startPeriodNs: null,
      retries: null,
    });
    expect(model.services['cache']?.healthcheck?.test).toEqual(['NONE']);
    expect(model.services['db']).toMatchObject({
      command: null,
      entrypoint: null,
      environment: {},
      ports: [],
      volumes: [],
      dependsOn: {},
      restart: { name: 'no', maximumRetryCount: 0 },
      user: null,
      workingDir: null,
    });
  });

  it.each([
    [
      'environment as a map or a list',
      'environment: { A: "1", B: "x=y", C: }',
      'environment: ["A=1", "B=x=y", "C"]',
    ],
    ['labels as a map or a list', 'labels: { a: "1", b: "" }', 'labels: ["a=1", "b="]'],
    [
      'depends_on as a list or a map',
      'depends_on: [db]',
      'depends_on: { db: { condition: service_started } }',
    ],
    ['a port as a number or a string', 'ports: [80]', 'ports: ["80/tcp"]'],
    [
      'a short or a long port',
      'ports: ["127.0.0.1:8080:80"]',
      'ports: [{ target: 80, published: 8080, host_ip: 127.0.0.1 }]',
    ],
    [
      'a short or a long mount',
      'volumes: ["data:/data:rw"]',
      'volumes: [{ type: volume, source: data, target: /data }]',
    ],
    [
      'a command as a string or a list',
      `command: "sh -c 'a \\"b\\" c' d\\\\ e"`,
      'command: [sh, -c, "a \\"b\\" c", "d e"]',
    ],
    [
      'a build as a path or a mapping',
      'build: /srv/sites/app',
      'build: { context: /srv/sites/app }',
    ],
    ['a user as a number or a string', 'user: 1000', 'user: "1000"'],
    [
      'a test as a string or CMD-SHELL',
      'healthcheck: { test: "true" }',
      'healthcheck: { test: [CMD-SHELL, "true"] }',
    ],
  ])('reads %s as the same thing', (_case, a, b) => {
    const rest = 'volumes:\n  data:\n';
    const withDb = (lines: string): string =>
      `${web(lines, '')}  db:\n    image: postgres\n${rest}`;
    expect(modelOf(withDb(a))).toEqual(modelOf(withDb(b)));
  });
});

describe('field errors as body fields', () => {
  it('prefixes the path with the body field, and names the document itself by it', () => {
    expect(
      prefixFieldErrors(
        [
          { field: '', message: 'x' },
          { field: 'services.web.privileged', message: 'is not supported' },
        ],
        'compose',
      ),
    ).toEqual([
      { field: 'compose', message: 'x' },
      { field: 'compose.services.web.privileged', message: 'is not supported' },
    ]);
  });

  it('reads as a sentence', () => {
    const [error] = errorsOf(web('privileged: true'));
    expect(describeFieldError(error!)).toMatch(/^services\.web\.privileged is not supported/);
    expect(
      describeFieldError({ field: '', message: 'Map keys must be unique at line 2, column 1' }),
    ).toBe('Map keys must be unique at line 2, column 1');
  });
});

describe('arbitrary input', () => {
  /** mulberry32: a seeded generator, so a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const KEYS = [
    'image',
    'build',
    'command',
    'entrypoint',
    'environment',
    'env_file',
    'ports',
    'expose',
    'volumes',
    'depends_on',
    'healthcheck',
    'restart',
    'labels',
    'user',
    'working_dir',
    'test',
    'interval',
    'disable',
    'condition',
    'target',
    'published',
    'host_ip',
    'type',
    'source',
    'read_only',
    'context',
    'dockerfile',
    'privileged',
    'x-any',
    'web',
    'db',
    '<<',
  ];
  const STRINGS = [
    '',
    'nginx:1.27',
    'db',
    'web',
    '80',
    '8080:80',
    '[::1]:80:80',
    '1.2.3.4::80',
    'data:/data',
    '/srv/sites/a:/a:ro',
    '/etc:/etc',
    './x:/x',
    '30s',
    '1m30s',
    'no',
    'on-failure:2',
    'service_healthy',
    'CMD',
    'NONE',
    '$HOME',
    '$$',
    'a=b',
    '=',
    'io.siteops.expose',
    'com.docker.compose.project',
    '\u0000',
    '😀',
    'x'.repeat(300),
  ];

  function value(next: () => number, depth: number): unknown {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const kind = depth > 3 ? Math.floor(next() * 4) : Math.floor(next() * 6);
    if (kind === 0) return pick(STRINGS);
    if (kind === 1) return pick([0, 1, -1, 80, 65536, 1.5, 1e21]);
    if (kind === 2) return pick([true, false, null]);
    if (kind === 3) return pick(STRINGS) + pick(STRINGS);
    if (kind === 4)
      return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(next() * 5) }, () => [pick(KEYS), value(next, depth + 1)]),
    );
  }

  it('answers every document with a result, never a throw, and one-line messages; what passes can be planned', () => {
    const next = random(20240611);
    let valid = 0;
    for (let i = 0; i < 2000; i++) {
      // Mostly near-valid services (an image and one or two arbitrary keys), so that the
      // deeper checks and the planner run too, not only the first type check.
      const mapping = (): object => {
        const v = value(next, 3);
        return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
      };
      const service = (depth: number): unknown =>
        next() < 0.3 ? value(next, depth) : { image: 'nginx:1.27', ...mapping(), ...mapping() };
      const document = {
        services: { web: service(1), db: service(2) },
        volumes: next() < 0.3 ? value(next, 2) : { data: null },
        [next() < 0.1 ? 'networks' : 'x-extra']: value(next, 2),
      };
      const result = parseCompose(stringify(document), {
        bindMountRoot: next() < 0.5 ? '/srv/sites' : null,
      });
      if (result.ok) {
        valid++;
        expect(
          planDeployment(result.model, {
            siteId: '5f0c6c1e-3d4b-4f3e-9a51-8c2f0d7b6a10',
            deploymentId: 'd',
            secrets: [],
          }).ok,
        ).toBe(true);
      } else {
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) {
          expect(typeof error.field).toBe('string');
          expect(error.message).toMatch(/^[^\n]+$/);
        }
      }
    }
    expect(valid).toBeGreaterThan(0);
  });
});
