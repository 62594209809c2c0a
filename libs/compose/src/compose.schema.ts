import { posix } from 'node:path';
import { z } from 'zod';
import {
  DEPENDENCY_CONDITIONS,
  EXPOSE_LABEL,
  RESTART_POLICIES,
  type ComposeModel,
  type ComposeService,
  type DependencyCondition,
  type Healthcheck,
  type RestartPolicy,
  type ServiceMount,
} from './compose.model';
import {
  durationNs,
  exposedPorts,
  longPortMapping,
  portMappings,
  PROTOCOLS,
  shellWords,
  type Parsed,
} from './short-syntax';

/**
 * The supported subset of the compose format (SPEC §5) as zod schemas that
 * turn the document into a ComposeModel. Only structure and local rules live
 * here; rules that look across services (depends_on targets, volume
 * declarations, the bind-mount root) are in compose-document.ts.
 */

/** The keys a service may have, in the order the error message lists them. */
export const SERVICE_KEYS = [
  'build',
  'command',
  'depends_on',
  'entrypoint',
  'environment',
  'expose',
  'healthcheck',
  'image',
  'labels',
  'ports',
  'restart',
  'user',
  'volumes',
  'working_dir',
] as const;
export const TOP_LEVEL_KEYS = ['services', 'volumes', 'networks', 'version', 'name'] as const;

export const SERVICE_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const VOLUME_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** Labels siteops and compose set themselves; a document setting them could pass its containers off as another site's. */
const RESERVED_LABEL_PREFIXES = ['com.docker.compose.', 'io.siteops.'];

function reject(
  ctx: z.RefinementCtx,
  input: unknown,
  message: string,
  path?: PropertyKey[],
): never {
  ctx.issues.push(
    path ? { code: 'custom', message, input, path } : { code: 'custom', message, input },
  );
  return z.NEVER;
}

function parsed<T>(result: Parsed<T>, ctx: z.RefinementCtx, input: unknown): T {
  return result.ok ? result.value : reject(ctx, input, result.message);
}

/**
 * A string value. Compose substitutes `$VAR` and `${VAR}` from the shell it
 * runs in; a site has no such shell, and silently keeping or blanking them
 * would both surprise, so a `$` must be written `$$` (compose's own escape,
 * which becomes one `$`).
 */
const text = z.string().transform((value, ctx) => {
  if (value.includes('\u0000')) return reject(ctx, value, 'must not contain NUL characters');
  if (/\$(?!\$)/.test(value.replace(/\$\$/g, ''))) {
    return reject(
      ctx,
      value,
      'uses $ variable substitution, which siteops does not do: write the value, or keep it in a secret (secrets are injected as environment variables); write $$ for a literal $',
    );
  }
  return value.replace(/\$\$/g, '$');
});

/** Strings, numbers and booleans as text, as compose reads environment and label values. */
const scalarText = z.union([text, z.number().transform(String), z.boolean().transform(String)]);

const integerText = z.union([text, z.number().int().transform(String)]);

function absolutePath(
  value: string,
  ctx: z.RefinementCtx,
  what = 'must be an absolute path',
): string {
  return value.startsWith('/') ? normalizedPath(value) : reject(ctx, value, what);
}

/** `/srv/a/../b/` → `/srv/b`: the form the bind-mount root is checked against. */
function normalizedPath(path: string): string {
  const normalized = posix.normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/$/, '') : normalized;
}

const absolutePathText = text.transform((value, ctx) => absolutePath(value, ctx));

// distribution/reference's grammar: [domain[:port]/]path[:tag][@digest], lower-case path components.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?';
const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?$`,
);

const image = text.refine((value) => value.length <= 255 && IMAGE_REFERENCE.test(value), {
  message:
    'must be an image reference such as nginx:1.27 or registry.example.org/team/app@sha256:…',
});

/** A build context is read on the deployer's host, so like a bind mount it is an absolute path there (or a Git/HTTP URL). */
function buildContext(value: string, ctx: z.RefinementCtx): string {
  if (/^(?:https?:\/\/|git:\/\/|git@)/.test(value)) return value;
  return absolutePath(
    value,
    ctx,
    'must be an absolute path on the deployer host (checked against the allowed root) or a Git or HTTP URL',
  );
}

const build = z.union(
  [
    text.transform((context, ctx) => ({ context: buildContext(context, ctx), dockerfile: null })),
    z
      .strictObject({ context: text, dockerfile: text.optional() })
      .transform(({ context, dockerfile }, ctx) => ({
        context: buildContext(context, ctx),
        dockerfile: dockerfile ?? null,
      })),
  ],
  { error: 'must be a build context path, or a mapping with context and dockerfile' },
);

const command = z
  .union([text.transform((value, ctx) => parsed(shellWords(value), ctx, value)), z.array(text)], {
    error: 'must be a command line, or a list of arguments',
  })
  .refine((args) => args.length > 0, { message: 'must not be empty' });

/** `NAME=value` or `NAME` (declared without a value). */
function nameAndValue(item: string): [string, string | null] {
  const index = item.indexOf('=');
  return index < 0 ? [item, null] : [item.slice(0, index), item.slice(index + 1)];
}

/** A list of `KEY=value` becomes a record; a key given twice is an error at its second place. */
function listToRecord<V>(
  items: readonly string[],
  ctx: z.RefinementCtx,
  value: (raw: string | null) => V,
): Record<string, V> {
  const record: Record<string, V> = {};
  items.forEach((item, index) => {
    const [name, raw] = nameAndValue(item);
    if (name.length === 0)
      ctx.issues.push({
        code: 'custom',
        message: 'must start with a name (NAME=value)',
        input: item,
        path: [index],
      });
    else if (Object.hasOwn(record, name))
      ctx.issues.push({
        code: 'custom',
        message: `sets ${name} a second time`,
        input: item,
        path: [index],
      });
    else record[name] = value(raw);
  });
  return record;
}

const variableName = z
  .string()
  .refine((name) => name.length > 0 && !name.includes('=') && !name.includes('\u0000'), {
    message: 'must be a variable name, without = or NUL',
  });

const environment = z.union(
  [
    z.record(
      variableName,
      z.union([scalarText, z.null()], {
        error: 'must be a string, a number, true/false, or nothing',
      }),
    ),
    z.array(text).transform((items, ctx) => listToRecord(items, ctx, (raw) => raw)),
  ],
  { error: 'must be a mapping of NAME: value, or a list of NAME=value' },
);

const labels = z
  .union(
    [
      z.record(
        z.string().min(1, 'must not be empty'),
        z.union([scalarText, z.null().transform(() => '')], { error: 'must be a string' }),
      ),
      z.array(text).transform((items, ctx) => listToRecord(items, ctx, (raw) => raw ?? '')),
    ],
    { error: 'must be a mapping of label: value, or a list of label=value' },
  )
  .superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      if (
        key !== EXPOSE_LABEL &&
        RESERVED_LABEL_PREFIXES.some((prefix) => key.startsWith(prefix))
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `is reserved: siteops sets the ${RESERVED_LABEL_PREFIXES.join('* and ')}* labels itself`,
          path: [key],
        });
      }
    }
  });

const port = z.union(
  [
    integerText.transform((value, ctx) => parsed(portMappings(value), ctx, value)),
    z
      .strictObject({
        target: z.number().int(),
        published: integerText.optional(),
        host_ip: text.optional(),
        protocol: z.enum(PROTOCOLS).optional(),
      })
      .transform((value, ctx) => parsed(longPortMapping(value), ctx, value)),
  ],
  {
    error:
      'must be a port mapping such as "8080:80", or a mapping with target, published, host_ip and protocol',
  },
);

const exposed = integerText.transform((value, ctx) => parsed(exposedPorts(value), ctx, value));

/** A named volume, or an absolute host path (a bind mount). Relative paths have nothing to be relative to: a site has no project directory. */
function mountSource(source: string): Parsed<Pick<ServiceMount, 'type' | 'source'>> {
  if (source.startsWith('/'))
    return {
      ok: true,
      value: { type: 'bind', source: normalizedPath(source) },
    };
  if (source.startsWith('.') || source.startsWith('~')) {
    return {
      ok: false,
      message: `uses the relative path ${source}: a bind mount needs an absolute path on the host (under the allowed root)`,
    };
  }
  if (!VOLUME_NAME_PATTERN.test(source))
    return { ok: false, message: `names the volume ${source}, which is not a valid volume name` };
  return { ok: true, value: { type: 'volume', source } };
}

const ANONYMOUS_VOLUME =
  'is an anonymous volume, which a redeploy would replace with an empty one: name it (name:/path) and declare it under the top-level volumes';

const shortMount = text.transform((value, ctx): ServiceMount => {
  const parts = value.split(':');
  if (parts.length === 1) return reject(ctx, value, ANONYMOUS_VOLUME);
  const [source = '', target = '', mode = 'rw', ...rest] = parts;
  if (rest.length > 0) return reject(ctx, value, 'must be source:target or source:target:mode');
  if (mode !== 'ro' && mode !== 'rw')
    return reject(ctx, value, `uses the mode ${mode}: the supported modes are ro and rw`);
  const from = parsed(mountSource(source), ctx, value);
  return {
    ...from,
    target: absolutePath(target, ctx, 'must mount at an absolute path in the container'),
    readOnly: mode === 'ro',
  };
});

const longMount = z
  .strictObject({
    type: z.enum(['volume', 'bind'], { error: 'must be volume or bind' }),
    source: text.optional(),
    target: text,
    read_only: z.boolean().optional(),
  })
  .transform((value, ctx): ServiceMount => {
    if (value.source === undefined) {
      return reject(
        ctx,
        value,
        value.type === 'volume' ? ANONYMOUS_VOLUME : 'a bind mount needs a source',
      );
    }
    const source = mountSource(value.source);
    if (!source.ok) return reject(ctx, value, source.message);
    const from = source.value;
    if (from.type !== value.type) {
      return reject(
        ctx,
        value,
        `has type ${value.type}, but ${value.source} is ${from.type === 'bind' ? 'a host path' : 'a volume name'}`,
      );
    }
    return {
      ...from,
      target: absolutePath(value.target, ctx, 'target must be an absolute path in the container'),
      readOnly: value.read_only ?? false,
    };
  });

const mount = z.union([shortMount, longMount], {
  error: 'must be source:target[:ro], or a mapping with type, source, target and read_only',
});

const condition = z.enum(DEPENDENCY_CONDITIONS, {
  error: `must be one of ${DEPENDENCY_CONDITIONS.join(', ')}`,
});

const dependsOn = z.union(
  [
    z.array(text).transform((names, ctx) => {
      const record: Record<string, DependencyCondition> = {};
      names.forEach((name, index) => {
        if (Object.hasOwn(record, name))
          ctx.issues.push({
            code: 'custom',
            message: `names ${name} a second time`,
            input: name,
            path: [index],
          });
        record[name] = 'service_started';
      });
      return record;
    }),
    z.record(
      z.string(),
      z
        .union([z.null(), z.strictObject({ condition: condition.optional() })], {
          error: 'must be a mapping with a condition',
        })
        .transform((value) => value?.condition ?? 'service_started'),
    ),
  ],
  { error: 'must be a list of services, or a mapping of services to { condition }' },
);

const duration = text.transform((value, ctx) => {
  const ns = parsed(durationNs(value), ctx, value);
  // The Engine refuses healthcheck durations between 0 (inherit) and 1 ms.
  if (ns > 0 && ns < 1_000_000)
    return reject(ctx, value, 'must be 0 (the image’s setting) or at least 1ms');
  return ns;
});

function healthcheckTest(test: string | string[], ctx: z.RefinementCtx): string[] {
  if (typeof test === 'string') {
    if (test.trim().length === 0) return reject(ctx, test, 'must not be empty', ['test']);
    return ['CMD-SHELL', test];
  }
  const [kind, ...args] = test;
  const valid =
    (kind === 'CMD' && args.length > 0) ||
    (kind === 'CMD-SHELL' && args.length === 1) ||
    (kind === 'NONE' && args.length === 0);
  if (valid) return test;
  return reject(
    ctx,
    test,
    'must be a shell command, ["CMD", program, args…], ["CMD-SHELL", command] or ["NONE"]',
    ['test'],
  );
}

const healthcheck = z
  .strictObject({
    test: z.union([text, z.array(text)], { error: 'must be a shell command or a list' }).optional(),
    interval: duration.optional(),
    timeout: duration.optional(),
    start_period: duration.optional(),
    retries: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(0, 'must not be negative')
      .optional(),
    disable: z.boolean().optional(),
  })
  .transform((value, ctx): Healthcheck => {
    const { disable, ...settings } = value;
    if (disable === true) {
      if (Object.keys(settings).length > 0)
        return reject(
          ctx,
          value,
          'disable: true cannot be combined with other healthcheck settings',
        );
      return {
        test: ['NONE'],
        intervalNs: null,
        timeoutNs: null,
        startPeriodNs: null,
        retries: null,
      };
    }
    return {
      test: settings.test === undefined ? null : healthcheckTest(settings.test, ctx),
      intervalNs: settings.interval ?? null,
      timeoutNs: settings.timeout ?? null,
      startPeriodNs: settings.start_period ?? null,
      retries: settings.retries ?? null,
    };
  });

const restart = text.transform((value, ctx): RestartPolicy => {
  const match = /^on-failure:(\d{1,9})$/.exec(value);
  if (match) return { name: 'on-failure', maximumRetryCount: Number(match[1]) };
  const name = RESTART_POLICIES.find((policy) => policy === value);
  if (name) return { name, maximumRetryCount: 0 };
  return reject(
    ctx,
    value,
    `must be one of ${RESTART_POLICIES.join(', ')} or on-failure:<max retries> (quote "no")`,
  );
});

/** Compose's `x-` keys hold YAML anchors for reuse and mean nothing to compose itself; they are dropped, as compose does. */
function withoutExtensions(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('x-')));
}

const service = z.preprocess(
  withoutExtensions,
  z
    .strictObject(
      {
        image: image.optional(),
        build: build.optional(),
        command: command.optional(),
        entrypoint: command.optional(),
        environment: environment.optional(),
        ports: z.array(port).optional(),
        expose: z.array(exposed, { error: 'must be a list of ports' }).optional(),
        volumes: z.array(mount).optional(),
        depends_on: dependsOn.optional(),
        healthcheck: healthcheck.optional(),
        restart: restart.optional(),
        labels: labels.optional(),
        user: integerText.optional(),
        working_dir: absolutePathText.optional(),
      },
      { error: 'must be a mapping of service settings' },
    )
    .transform((value): Omit<ComposeService, 'name'> => ({
      image: value.image ?? null,
      build: value.build ?? null,
      command: value.command ?? null,
      entrypoint: value.entrypoint ?? null,
      environment: value.environment ?? {},
      ports: value.ports?.flat() ?? [],
      expose: value.expose?.flat() ?? [],
      volumes: value.volumes ?? [],
      dependsOn: value.depends_on ?? {},
      healthcheck: value.healthcheck ?? null,
      restart: value.restart ?? { name: 'no', maximumRetryCount: 0 },
      labels: value.labels ?? {},
      user: value.user ?? null,
      workingDir: value.working_dir ?? null,
    })),
);

const labelsOnly = z.union(
  [
    z.null().transform(() => ({ labels: {} })),
    z
      .strictObject({ labels: labels.optional() })
      .transform((value) => ({ labels: value.labels ?? {} })),
  ],
  {
    error: 'must be empty or a mapping with labels',
  },
);

/**
 * `version` is obsolete in the compose specification and ignored, as by
 * `docker compose`; `name` is tolerated and ignored too: a site's compose
 * project name always derives from the site (composeProjectName).
 */
export const composeSchema = z.preprocess(
  withoutExtensions,
  z
    .strictObject(
      {
        version: z.union([text, z.number()], { error: 'must be a string' }).optional(),
        name: text.optional(),
        services: z.record(
          z
            .string()
            .regex(
              SERVICE_NAME_PATTERN,
              'must be a service name: letters, digits, _ . -, starting with a letter or digit, at most 63 characters',
            ),
          service,
          {
            error: (issue) =>
              issue.input === undefined
                ? 'is required'
                : 'must be a mapping of service names to services',
          },
        ),
        volumes: z
          .record(
            z
              .string()
              .regex(
                VOLUME_NAME_PATTERN,
                'must be a volume name: letters, digits, _ . -, starting with a letter or digit',
              ),
            labelsOnly,
            {
              error: 'must be a mapping of volume names',
            },
          )
          .optional(),
        networks: z
          .strictObject(
            { default: labelsOnly.optional() },
            { error: 'must be a mapping with only default' },
          )
          .optional(),
      },
      { error: 'must be a YAML mapping with a services key' },
    )
    .transform((value): ComposeModel => ({
      services: Object.fromEntries(
        Object.entries(value.services).map(([name, definition]) => [name, { name, ...definition }]),
      ),
      volumes: value.volumes ?? {},
      network: value.networks?.default ?? { labels: {} },
    })),
);

/** Why a key is refused, with the fix where there is one. */
export function unsupportedKeyMessage(path: readonly PropertyKey[], key: string): string {
  const inService = path.length === 2 && path[0] === 'services';
  if (inService && key === 'env_file') {
    return 'is not supported: keep those values in siteops secrets (sitectl secrets set), which are injected into every service’s environment';
  }
  if (key === 'secrets' && (path.length === 0 || inService))
    return 'is not supported: siteops secrets (sitectl secrets set) are injected as environment variables';
  if (inService && key === 'networks')
    return 'is not supported: every service joins the site’s default network, where the others reach it by its service name';
  if (inService && key === 'container_name')
    return 'is not supported: siteops names containers after the site and the service';
  if (path.length === 1 && path[0] === 'networks')
    return 'is not supported: a site has one network, default, which every service joins';
  if (path.length === 2 && (path[0] === 'volumes' || path[0] === 'networks')) {
    return `is not supported: a site’s ${path[0]} are its own and take only labels`;
  }
  if (inService) return `is not supported (a service may have: ${SERVICE_KEYS.join(', ')})`;
  if (path.length === 0)
    return `is not supported (a compose document may have: ${TOP_LEVEL_KEYS.join(', ')})`;
  return 'is not supported';
}
