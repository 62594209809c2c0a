import { posix } from 'node:path';
import type { FieldError } from '@siteops/contracts';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { EXPOSE_LABEL, type ComposeModel, type ComposeService } from './compose.model';
import { composeSchema, unsupportedKeyMessage } from './compose.schema';

export interface ComposeOptions {
  /**
   * Bind-mount sources and build contexts must lie at or under this absolute
   * host path. It is deploy-time policy: the deployer passes its root (one per
   * site if sites must not see each other's files), and the write side, which
   * has no host, passes null so that the check waits for the deployer.
   * Symbolic links are the deployer's to resolve; this check is on the text.
   */
  bindMountRoot: string | null;
}

export type ComposeResult = { ok: true; model: ComposeModel } | { ok: false; errors: FieldError[] };

/**
 * Parses and validates a compose document (SPEC §5). Errors are field errors
 * whose `field` is the dotted path of the offending key in the document
 * (`services.web.privileged`); an error about the document as a whole has the
 * field `''` (see `prefixFieldErrors`). Nothing here throws on bad input, and
 * no message quotes the document beyond the key or value at fault.
 */
export function parseCompose(text: string, options: ComposeOptions): ComposeResult {
  const root = options.bindMountRoot;
  if (root !== null && !posix.isAbsolute(root))
    throw new TypeError('bindMountRoot must be an absolute path');

  // 1. YAML. Merge keys (`<<: *defaults`) are part of compose files as people
  // write them; the parser's warnings are errors here, not lines on stderr. The parser's first line names the problem with its line and
  // column; the lines after it quote the source, which an error reply does not need.
  const document = parseDocument(text, { merge: true, prettyErrors: true, logLevel: 'error' });
  const [problem] = [...document.errors, ...document.warnings];
  if (problem)
    return failure([
      { field: '', message: (problem.message.split('\n')[0] ?? '').replace(/:$/, '') },
    ]);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The only throw left is the alias-expansion guard (a "billion laughs" document).
    return failure([
      { field: '', message: error instanceof Error ? error.message : 'could not be read' },
    ]);
  }

  // 2. Structure, one service at a time.
  const result = composeSchema.safeParse(value, { error: issueMessage });
  if (!result.success) return failure(result.error.issues.flatMap(fieldErrors));

  // 3. What can only be checked across services.
  const errors = crossChecks(result.data, root);
  return errors.length > 0 ? failure(errors) : { ok: true, model: result.data };
}

/**
 * Field errors of the document as a body field: `compose` for the document
 * itself, `compose.services.web.ports.0` for a key in it.
 */
export function prefixFieldErrors(errors: readonly FieldError[], prefix: string): FieldError[] {
  return errors.map((error) => ({
    field: error.field === '' ? prefix : `${prefix}.${error.field}`,
    message: error.message,
  }));
}

/** "services.web.privileged is not supported" — one line for a reply's detail or a log. */
export function describeFieldError(error: FieldError): string {
  return error.field === '' ? error.message : `${error.field} ${error.message}`;
}

function failure(errors: FieldError[]): ComposeResult {
  const seen = new Set<string>();
  const unique = errors.filter((error) => {
    const key = `${error.field}\u0000${error.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return { ok: false, errors: unique };
}

const join = (path: readonly PropertyKey[]): string => path.map(String).join('.');

function fieldErrors(issue: z.core.$ZodIssue): FieldError[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        field: join([...issue.path, key]),
        message: unsupportedKeyMessage(issue.path, key),
      }));
    case 'invalid_key':
      return [{ field: join(issue.path), message: issue.issues[0]?.message ?? issue.message }];
    case 'invalid_union': {
      // zod reports every alternative; the one whose type matched says what is wrong.
      const matched = issue.errors.filter((issues) => !typeMismatch(issues));
      const [only] = matched;
      if (only && matched.length === 1)
        return only.flatMap((inner) =>
          fieldErrors({ ...inner, path: [...issue.path, ...inner.path] }),
        );
      return [{ field: join(issue.path), message: issue.message }];
    }
    default:
      return [{ field: join(issue.path), message: issue.message }];
  }
}

/** An alternative that failed only because the value has another type (possibly through nested unions). */
function typeMismatch(issues: readonly z.core.$ZodIssue[]): boolean {
  return issues.every(
    (issue) =>
      issue.path.length === 0 &&
      (issue.code === 'invalid_type' ||
        (issue.code === 'invalid_union' && issue.errors.every(typeMismatch))),
  );
}

/** Messages for the issues no schema words itself: the field path says where, this says what. */
function issueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      const expected: Record<string, string> = {
        string: 'a string',
        number: 'a number',
        int: 'a whole number',
        boolean: 'true or false',
        object: 'a mapping',
        record: 'a mapping',
        array: 'a list',
        null: 'empty',
      };
      return `must be ${expected[issue.expected] ?? issue.expected}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    default:
      return 'is not valid';
  }
}

function crossChecks(model: ComposeModel, root: string | null): FieldError[] {
  const errors: FieldError[] = [];
  const services = Object.values(model.services);
  for (const service of services) errors.push(...serviceChecks(model, service, root));
  errors.push(...dependencyCycles(model));
  errors.push(...exposeLabelChecks(services));
  return errors;
}

function isWithin(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

function serviceChecks(
  model: ComposeModel,
  service: ComposeService,
  root: string | null,
): FieldError[] {
  const at = `services.${service.name}`;
  const errors: FieldError[] = [];
  if (service.image === null && service.build === null)
    errors.push({ field: `${at}.image`, message: 'is required, unless the service has a build' });
  if (
    root !== null &&
    service.build?.context.startsWith('/') &&
    !isWithin(root, service.build.context)
  ) {
    errors.push({
      field: `${at}.build`,
      message: `uses the context ${service.build.context}, which is outside the allowed root ${root}`,
    });
  }
  const targets = new Set<string>();
  service.volumes.forEach((mount, index) => {
    const field = `${at}.volumes.${index}`;
    if (mount.type === 'volume' && !Object.hasOwn(model.volumes, mount.source)) {
      errors.push({
        field,
        message: `names the volume ${mount.source}, which is not declared under the top-level volumes`,
      });
    }
    if (mount.type === 'bind' && root !== null && !isWithin(root, mount.source)) {
      errors.push({
        field,
        message: `mounts ${mount.source}, which is outside the allowed root ${root}`,
      });
    }
    if (targets.has(mount.target))
      errors.push({ field, message: `mounts a second volume at ${mount.target}` });
    targets.add(mount.target);
  });
  for (const [dependency, condition] of Object.entries(service.dependsOn)) {
    const field = `${at}.depends_on`;
    const target = model.services[dependency];
    if (dependency === service.name) errors.push({ field, message: 'names the service itself' });
    else if (!target)
      errors.push({
        field,
        message: `names ${dependency}, which is not a service of this document`,
      });
    else if (condition === 'service_healthy' && target.healthcheck?.test?.[0] === 'NONE') {
      errors.push({
        field,
        message: `waits for ${dependency} to be healthy, but ${dependency} disables its healthcheck`,
      });
    }
  }
  return errors;
}

/** One error per cycle, at the first service of the cycle in document order. */
function dependencyCycles(model: ComposeModel): FieldError[] {
  const errors: FieldError[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      errors.push({
        field: `services.${name}.depends_on`,
        message: `forms a cycle: ${cycle.join(' → ')}`,
      });
      return;
    }
    state.set(name, 'visiting');
    stack.push(name);
    for (const dependency of Object.keys(model.services[name]?.dependsOn ?? {})) {
      if (dependency !== name && Object.hasOwn(model.services, dependency)) visit(dependency);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of Object.keys(model.services)) visit(name);
  return errors;
}

function exposeLabelChecks(services: readonly ComposeService[]): FieldError[] {
  const errors: FieldError[] = [];
  let exposedBy: string | undefined;
  for (const service of services) {
    const value = service.labels[EXPOSE_LABEL];
    if (value === undefined) continue;
    const field = `services.${service.name}.labels.${EXPOSE_LABEL}`;
    if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
      errors.push({
        field,
        message: 'must be the container port the edge proxies to, from 1 to 65535',
      });
    } else if (exposedBy !== undefined) {
      errors.push({ field, message: `is already set on ${exposedBy}: a site exposes one service` });
    } else exposedBy = service.name;
  }
  return errors;
}
