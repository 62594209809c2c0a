import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { ApiClient } from './support/api';
import { startPlatformProcess, type PlatformProcess } from '@siteops/testing';
import { forEachConcurrently, SeededRandom, seedFrom } from '@siteops/testing';

/*
 * SPEC §4: "Never 500 for bad input", and every error is an RFC 9457
 * problem. This spec sends a few thousand malformed requests at every
 * endpoint the running gateway documents (so a new endpoint is fuzzed as soon
 * as it is in /v1/openapi.json), plus malformed HTTP on raw sockets, and
 * checks every answer. `FUZZ_SEED=<n>` replays a run; `FUZZ_REPORT=<file>`
 * writes every finding there (the failure message shows the first 40).
 */

const SEED = seedFrom('FUZZ_SEED', 'fuzz.e2e');
/** Requests generated over HTTP; the raw-socket and throttle phases come on top. */
const HTTP_REQUESTS = 2_300;
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------
// The API as the OpenAPI document describes it.

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema?: JsonSchema;
}

interface Operation {
  method: string;
  /** OpenAPI form: `/v1/organizations/{orgId}`. */
  template: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  headerParams: string[];
  body?: JsonSchema;
  /** Served without an API key (`security: []`): health, metrics, the document itself. */
  public: boolean;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        security?: unknown[];
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
      }
    >
  >;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      const parameters = op.parameters ?? [];
      const body = op.requestBody?.content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        template,
        pathParams: parameters.filter((p) => p.in === 'path'),
        queryParams: parameters.filter((p) => p.in === 'query'),
        headerParams: parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()),
        ...(body ? { body } : {}),
        public: op.security?.length === 0,
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------
// Malformed inputs. Header values stay within what HTTP can carry (Latin-1
// without control characters besides tab); paths are sent byte for byte.

const INVALID_JSON = [
  '{',
  '{"name":',
  '{"name": "x",}',
  "{'name': 'x'}",
  '{"name": undefined}',
  '{"name": NaN}',
  '[1, 2',
  'nul',
  '\u0000',
  '{"a":1}{"b":2}',
  '{"name": "\\x41"}',
  '{"name": "\\u12"}',
  '\ufeff{"name": "x"',
  '<xml/>',
  'name=x&role=owner',
  '--\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n----',
  '{"a": 1e99999999999999999999}x',
  '"unterminated',
];

/** Parsed by the JSON parser, never an object the API accepts. */
const NOT_AN_OBJECT = [
  '[]',
  '[{}]',
  '"a string"',
  '42',
  '-1.5e300',
  'true',
  'false',
  'null',
  '""',
  '[null]',
];

/** Content types no endpoint accepts (the body itself is valid JSON). */
const WRONG_CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/xml',
  'text/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'image/png',
  'application/octet-stream',
  'text/html',
  'application/javascript',
];

/** Wrong in every field of every body the API takes (no field is nullable, an array, an object or a number). */
const WRONG_TYPED: readonly unknown[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  true,
  false,
  [],
  ['x'],
  {},
  { $ne: null },
];

/** Values that break an id, a pattern or an enum. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007\b\f\u000b',
  '\r\n',
  '\t',
  'null',
  'undefined',
  'NaN',
  '-1',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f',
  "' OR '1'='1",
  '"; DROP TABLE events; --',
  '<script>alert(1)</script>',
  '${jndi:ldap://example.invalid/a}',
  '{{7*7}}',
  '%s%s%s%n',
  '🙂',
  '𝕊𝕚𝕥𝕖',
  'Ω≈ç√∫',
  'ｆｕｌｌｗｉｄｔｈ',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  '\ud800',
  'x\udfffy',
  'e\u0301',
  'İstanbul',
  ' leading',
  'trailing ',
  '-dash',
  'UPPER-case',
  'a/b',
];

/** Valid under a field's schema, hard for everything behind it: these may be accepted. */
const EDGE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '🙂🙂🙂',
  '\u202eevil',
  'ü',
  ' ',
  'line\nbreak',
  '\u0007\u001b[31m',
  "'; DROP TABLE rm_users; --",
  '<img src=x onerror=alert(1)>',
  '\\u0000',
  '𝕊𝕚𝕥𝕖',
];

const COMPOSE = 'services:\n  web:\n    image: nginx:1.27\n';

/** Compose documents the hierarchy service must refuse (or accept) with a 4xx/2xx, never a 5xx. */
const EDGE_COMPOSE = [
  'services: [',
  'services:\n\t web: {}\n',
  'just a string',
  '- a\n- list\n',
  'services: 42\n',
  'services: *missing\n',
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nservices: *d\n',
  'services: !!js/function "function(){}"\n',
  'services:\n  web:\n    image: "\u0000"\n',
  '---\nservices: {}\n---\nservices: {}\n',
  `services:\n${'  s:\n    image: x\n'.repeat(5)}`,
  `services:\n  web:\n    image: nginx\n    command: "${'a'.repeat(200_000)}"\n`,
  `x: ${'['.repeat(2_000)}`,
  '\ufeffservices: {}\n',
  'services: {}\n'.padEnd(262_145, '#'),
  '%YAML 9.9\n---\nservices: {}\n',
  '? [a, b]\n: c\nservices: {}\n',
];

const BAD_LIMITS = [
  '-1',
  '0',
  'abc',
  '501',
  '1.5',
  '',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '9'.repeat(400),
  '[]',
  '%00',
  '1,2',
  'true',
];

const BAD_BOOLEANS = ['maybe', '2', 'yess', 'tru', '-1', 'null', '%00', 'true%00', 'x'.repeat(300)];

const BAD_IF_MATCH = [
  'W/"1"',
  '"abc"',
  '"1", "2"',
  '1, 2',
  '"1',
  '1"',
  '-1',
  '99999999999',
  '""',
  'abc',
  '"1.5"',
  '0x1',
  '"0"',
  '"999"',
  ' W/"2"',
];

const BAD_POSITIONS = [
  'abc',
  '1',
  '1.',
  '.1',
  '-1.5',
  '1.2.3',
  '1.-2',
  'x.y',
  '0x1.0x2',
  '1 .2',
  `${'9'.repeat(21)}.1`,
  '',
  ' ',
  '1.1.',
  '\u00e9.1',
  'NaN.NaN',
];

/** Well-formed positions: served (the far-future one after a 5 s wait, marked stale). */
const EDGE_POSITIONS = ['0.0', '1.1', '99999999999999999999.99999999999999999999'];

/** Path-parameter replacements; each is malformed or names nothing. */
function badIds(random: SeededRandom): string[] {
  const uuid = random.uuid();
  return [
    'abc',
    '1',
    '0',
    '-1',
    'null',
    'undefined',
    `${uuid.slice(0, -1)}g`,
    uuid.replace(/-/g, ''),
    `${uuid}0`,
    `{${uuid}}`,
    uuid,
    '00000000-0000-0000-0000-000000000000',
    '..',
    '.',
    '%2e%2e',
    '%2F',
    'a%2Fb',
    '..%2F..%2Fusers',
    '%00',
    '%20',
    `${uuid}%00`,
    'x'.repeat(101),
    'x'.repeat(4_000),
    '%E2%98%83',
    '\u00ff\u00fe',
    "'%20OR%201=1",
    '%ff',
    '%zz',
    '%',
    '{orgId}',
    ':orgId',
    '*',
    '%252e%252e',
    '..;',
    '~',
  ];
}

/** Authorization headers that do not authenticate anyone. */
function garbledAuthorizations(keys: { admin: string; revoked: string }, random: SeededRandom): string[] {
  const { admin, revoked } = keys;
  const [, adminKeyId = 'x', adminSecret = 'x'] = /^siteops_([^_]+)_(.+)$/.exec(admin) ?? [];
  const flipped = adminSecret.slice(0, -1) + (adminSecret.endsWith('A') ? 'B' : 'A');
  return [
    'Bearer',
    'Bearer ',
    'Basic YWRtaW46YWRtaW4=',
    'Bearer siteops_',
    'Bearer siteops__',
    'Bearer siteops_abc_def',
    `Bearer ${admin}x`,
    `Bearer ${admin.slice(0, -1)}`,
    `Bearer siteops_${adminKeyId}_${flipped}`,
    `Bearer siteops_${adminKeyId}_${'A'.repeat(43)}`,
    `Bearer siteops_${'z'.repeat(16)}_${adminSecret}`,
    `Bearer ${revoked}`,
    `Bearer ${'x'.repeat(8_000)}`,
    `Token ${admin}`,
    `Bearer ${admin} extra`,
    `Bearer ${admin}, Bearer ${admin}`,
    admin,
    'Bearer \u00ff\u00fe\u00fd',
    'Bearer null',
    'Bearer undefined',
    `Bearer siteops_${random.uuid()}_${adminSecret}`,
    'Bearer siteops_ÿÿÿÿÿÿÿÿ_ÿÿÿÿ',
  ];
}

const NOISE_REQUEST_IDS = [
  '',
  ' ',
  'x'.repeat(500),
  '../../',
  '\u00ff\u00fe',
  '<script>',
  'a b c',
  '"quoted"',
  '%00',
  'id\tid',
];
const NOISE_ACCEPTS = [
  'application/xml',
  '*/*',
  'text/html',
  '',
  'application/problem+json',
  'garbage/;;;',
  'application/json;q=0',
];
const WRONG_METHODS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'HEAD',
  'PROPFIND',
  'PURGE',
  'LOCK',
  'MKCOL',
  'SEARCH',
  'FOO',
  'BREW',
];

// ---------------------------------------------------------------------------
// Cases and their outcomes.

interface FuzzCase {
  /** What was done to an otherwise valid request. */
  readonly label: string;
  /** Whose key the Authorization header holds (the key itself stays out of reports). */
  readonly actor: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Malformed beyond doubt: any answer but a 4xx is a finding. Otherwise any non-5xx will do. */
  readonly mustFail: boolean;
}

interface RawCase {
  readonly label: string;
  /** Bytes as written to the socket (Latin-1). */
  readonly payload: string;
  readonly mustFail: boolean;
}

interface Outcome {
  status?: number;
  headers: Record<string, string>;
  body: string;
  error?: string;
}

interface Fixtures {
  adminKey: string;
  adminId: string;
  userKey: string;
  userId: string;
  userEmail: string;
  revokedKey: string;
  /** A live key of the ordinary user: target of DELETE /v1/api-keys/{keyId}. */
  userKeyId: string;
  orgId: string;
  orgName: string;
  privateOrgId: string;
  projectId: string;
  siteId: string;
  position: string;
}

/** Builds the requests: one valid request per operation, then one deliberate defect. */
class CaseFactory {
  private counter = 0;
  private failedAuths = 0;

  constructor(
    private readonly random: SeededRandom,
    private readonly fx: Fixtures,
    private readonly allowed: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  /** Every mutation that applies to an operation (the coverage pass sends each once). */
  mutationsFor(op: Operation): string[] {
    const kinds = ['auth:missing', 'auth:garbled', 'method:wrong', 'header:consistent-read'];
    if (op.pathParams.length > 0) kinds.push('path:bad-param');
    if (op.queryParams.length > 0) kinds.push('query:bad');
    if (op.headerParams.includes('if-match')) kinds.push('header:if-match');
    if (op.body) {
      kinds.push('body:invalid-json', 'body:content-type', 'body:not-object', 'body:missing');
      kinds.push(
        'body:wrong-type',
        'body:bad-value',
        'body:extra-field',
        'body:prototype',
        'body:oversized',
      );
    }
    if (op.body && op.method !== 'DELETE') kinds.push('edge:body');
    if (op.method === 'GET') kinds.push('edge:query', 'edge:route');
    return kinds;
  }

  /** A random mutation, weighted so validation (not authentication) is what gets exercised. */
  randomMutation(op: Operation): string {
    const kinds = this.mutationsFor(op);
    const weights: Record<string, number> = {};
    for (const kind of kinds) {
      weights[kind] =
        kind === 'body:oversized'
          ? 0.3
          : kind.startsWith('auth:')
            ? 3
            : kind.startsWith('body:')
              ? 9
              : kind.startsWith('edge:')
                ? 10
                : kind === 'method:wrong'
                  ? 5
                  : 8;
    }
    return this.random.weighted(weights);
  }

  build(op: Operation, mutation: string): FuzzCase {
    const random = this.random;
    const actor = random.chance(0.85) ? 'admin' : 'user';
    const headers: Record<string, string> = {
      authorization: `Bearer ${actor === 'admin' ? this.fx.adminKey : this.fx.userKey}`,
    };
    const params = this.validParams(op);
    const query: string[] = [];
    let method = op.method;
    let body: string | undefined = op.body ? JSON.stringify(this.sampleObject(op.body)) : undefined;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let label = mutation;
    let mustFail = true;
    let actorLabel = actor;
    let rawPath: string | undefined;

    switch (mutation) {
      case 'auth:missing':
        delete headers['authorization'];
        actorLabel = 'nobody';
        mustFail = !op.public;
        break;
      case 'auth:garbled': {
        headers['authorization'] = random.pick(
          garbledAuthorizations({ admin: this.fx.adminKey, revoked: this.fx.revokedKey }, random),
        );
        actorLabel = 'garbled key';
        mustFail = !op.public;
        // Each failure counts against the client address (SPEC §4: 429). Spread
        // them over addresses, as many clients behind the trusted front would
        // be, so the budget never runs out for the address validation is tested from.
        headers['x-forwarded-for'] = this.nextFailingAddress();
        break;
      }
      case 'method:wrong': {
        const allowed = this.allowed.get(op.template) ?? new Set<string>();
        const candidates = WRONG_METHODS.filter(
          (m) => !allowed.has(m) && !(m === 'HEAD' && allowed.has('GET')),
        );
        method = random.pick(candidates);
        label = `method:wrong(${method})`;
        if (method === 'GET' || method === 'HEAD') body = undefined;
        break;
      }
      case 'header:consistent-read':
        headers['x-consistent-read'] = random.pick(BAD_POSITIONS);
        break;
      case 'header:if-match':
        headers['if-match'] = random.pick(BAD_IF_MATCH);
        break;
      case 'path:bad-param': {
        const param = random.pick(op.pathParams);
        const bad = random.pick(badIds(random));
        params[param.name] = bad;
        label = `path:bad-param(${param.name})`;
        rawPath = fill(op.template, params, new Set([param.name]));
        break;
      }
      case 'query:bad': {
        const param = random.pick(op.queryParams);
        const values = this.badQueryValues(param);
        if (values.length === 0) {
          // A parameter this spec has no malformed values for: a wrong-typed one, which may be accepted.
          query.push(`${param.name}=${percentEncode(random.pick(NASTY_STRINGS))}`);
          mustFail = false;
        } else if (random.chance(0.15)) {
          query.push(`${param.name}=1`, `${param.name}=2`);
          mustFail = param.name === 'limit';
        } else {
          query.push(`${param.name}=${encodeQueryValue(random.pick(values))}`);
        }
        label = `query:bad(${param.name})`;
        break;
      }
      case 'body:invalid-json':
        body = random.pick(INVALID_JSON);
        break;
      case 'body:content-type':
        headers['content-type'] = random.pick(WRONG_CONTENT_TYPES);
        break;
      case 'body:not-object':
        body = random.pick(NOT_AN_OBJECT);
        break;
      case 'body:missing':
        body = undefined;
        if (random.chance(0.5)) delete headers['content-type'];
        else body = '';
        break;
      case 'body:wrong-type': {
        const value = this.sampleObject(op.body ?? {});
        const [field, fieldSchema] = random.pick(
          Object.entries(op.body?.properties ?? { name: {} }),
        );
        value[field] = random.pick(WRONG_TYPED.filter((v) => typeof v !== fieldSchema.type));
        body = JSON.stringify(value);
        label = `body:wrong-type(${field})`;
        break;
      }
      case 'body:bad-value': {
        const { value, field } = this.badValueBody(op.body ?? {});
        body = value;
        label = `body:bad-value(${field})`;
        break;
      }
      case 'body:extra-field': {
        const value = this.sampleObject(op.body ?? {});
        const extra = random.pick([
          'isAdmin',
          'id',
          'version',
          'platformAdmin',
          'role',
          'organizationId',
          'x'.repeat(1_000),
          '',
          '\u0000',
        ]);
        value[extra] = random.pick([true, 'x', 1, null, { nested: true }]);
        body = JSON.stringify(value);
        break;
      }
      case 'body:prototype': {
        const value = JSON.stringify(this.sampleObject(op.body ?? {}));
        const inject = random.pick([
          '"__proto__":{"platformAdmin":true}',
          '"constructor":{"prototype":{"platformAdmin":true}}',
        ]);
        body = `{${inject},${value.slice(1)}`;
        break;
      }
      case 'body:oversized': {
        // Over the 1 MiB body limit: 413 before anything parses it.
        const value = this.sampleObject(op.body ?? {});
        value['padding'] = 'a'.repeat(1_100_000);
        body = JSON.stringify(value);
        break;
      }
      case 'edge:body': {
        body = JSON.stringify(this.edgeObject(op.body ?? {}));
        mustFail = false;
        break;
      }
      case 'edge:query': {
        mustFail = false;
        const choice = random.int(4);
        if (choice === 0 && op.queryParams.some((p) => p.name === 'limit')) {
          query.push(
            `limit=${encodeQueryValue(random.pick(['500', '1', '+5', ' 5', '0x10', '1e2', '05']))}`,
          );
        } else if (choice === 1) {
          query.push(
            random.pick([
              '__proto__[x]=1',
              'constructor=1',
              'a=1&a=2&a=3',
              '&&&',
              '=',
              'x',
              '%zz=%zz',
              'q=%ff%fe',
            ]),
          );
        } else if (choice === 2) {
          headers['x-consistent-read'] = random.chance(0.1)
            ? (EDGE_POSITIONS[2] as string)
            : random.pick([this.fx.position, '0.0', '1.1']);
        } else {
          query.push(`fuzz=${percentEncode(random.pick(NASTY_STRINGS))}`);
        }
        break;
      }
      case 'edge:route': {
        mustFail = false;
        const path = fill(op.template, params);
        rawPath = random.pick([
          `${path}/`,
          `${path}//`,
          `/${path}`,
          `${path}/..`,
          `${path}/../..`,
          `${path}/.`,
          `${path}/nope`,
          `${path};jsessionid=1`,
          `${path}%00`,
          `${path}%2F`,
          path.toUpperCase(),
          path.replace('/v1/', '/v2/'),
          path.replace('/v1/', '/v1/../v1/'),
          path.replace('/v1/', '/v1/./'),
          `${path}#fragment`,
          `${path}?`,
          `${path}\u00ff`,
        ]);
        break;
      }
      default:
        throw new Error(`unknown mutation ${mutation}`);
    }

    // Noise that must not change the answer's shape.
    if (random.chance(0.15)) headers['x-request-id'] = random.pick(NOISE_REQUEST_IDS);
    if (random.chance(0.1)) headers['accept'] = random.pick(NOISE_ACCEPTS);

    const pathPart = rawPath ?? fill(op.template, params);
    const path =
      query.length > 0
        ? `${pathPart}${pathPart.includes('?') ? '&' : '?'}${query.join('&')}`
        : pathPart;
    return {
      label,
      actor: actorLabel,
      method,
      path,
      headers,
      ...(body !== undefined ? { body } : {}),
      mustFail,
    };
  }

  /** A distinct client address (TEST-NET-2) for every 10 failed authentications. */
  private nextFailingAddress(): string {
    const block = Math.floor(this.failedAuths++ / 10);
    return `198.51.${(block >> 8) & 255}.${block & 255}`;
  }

  private validParams(op: Operation): Record<string, string> {
    const params: Record<string, string> = {};
    for (const param of op.pathParams) {
      const uuidOnly = param.schema?.format === 'uuid';
      switch (param.name) {
        case 'orgId':
          params[param.name] = this.random.chance(0.8) ? this.fx.orgId : this.fx.privateOrgId;
          break;
        case 'projectId':
          params[param.name] = this.fx.projectId;
          break;
        case 'siteId':
          params[param.name] = this.fx.siteId;
          break;
        case 'userId':
          params[param.name] = uuidOnly
            ? this.random.pick([this.fx.userId, this.fx.adminId])
            : this.random.pick([this.fx.userId, this.fx.adminId, this.fx.userEmail]);
          break;
        case 'keyId':
          params[param.name] = this.fx.userKeyId;
          break;
        default:
          params[param.name] = this.random.uuid();
      }
    }
    return params;
  }

  private badQueryValues(param: Parameter): string[] {
    const schema = param.schema ?? {};
    if (param.name === 'limit' || schema.type === 'integer') return BAD_LIMITS;
    if (param.name === 'cursor') {
      const b64 = (value: unknown) =>
        Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
      return [
        '!!!',
        'x'.repeat(501),
        b64({}),
        b64([1]),
        b64([]),
        b64(Array.from({ length: 9 }, () => 'a')),
        b64(null),
        b64([null]),
        b64([['nested']]),
        '%ff%fe',
        '',
        'eyJ',
        '====',
      ].filter((v) => v !== '');
    }
    if (schema.format === 'uuid') return ['abc', '123', `${this.random.uuid()}x`, '%00', 'null'];
    if (/cascade|purge/i.test(param.name) || /true or false|also/i.test(JSON.stringify(schema)))
      return BAD_BOOLEANS;
    if (schema.maxLength !== undefined) return ['', 'x'.repeat(schema.maxLength + 1), 'a/b/c/d/e'];
    return [];
  }

  /** A body with one field holding a value its schema refuses. */
  private badValueBody(schema: JsonSchema): { value: string; field: string } {
    const random = this.random;
    const value = this.sampleObject(schema);
    const fields = Object.entries(schema.properties ?? {});
    const constrained = fields.filter(
      ([, s]) =>
        s.pattern !== undefined ||
        s.enum ||
        s.format ||
        s.maxLength !== undefined ||
        s.minLength !== undefined ||
        s.type === 'object',
    );
    const [field, fieldSchema] = random.pick(constrained.length > 0 ? constrained : fields);
    if (fieldSchema.type === 'object') {
      value[field] = random.pick([
        {},
        { path: '' },
        { path: this.fx.orgName, maxRole: 'god' },
        { path: this.fx.orgName, maxRole: 'owner', extra: 1 },
      ]);
      return { value: JSON.stringify(value), field };
    }
    if (fieldSchema.maxLength !== undefined && random.chance(0.35)) {
      // Over the limit; sometimes by a lot (still under the 1 MiB body limit).
      const length = random.chance(0.2) ? 700_000 : fieldSchema.maxLength + 1 + random.int(50);
      value[field] = 'a'.repeat(length);
      return { value: JSON.stringify(value), field: `${field}:too-long` };
    }
    const refused = (candidate: string): boolean => {
      if (fieldSchema.enum) return !fieldSchema.enum.includes(candidate);
      if (fieldSchema.minLength !== undefined && candidate.length < fieldSchema.minLength)
        return true;
      if (fieldSchema.maxLength !== undefined && candidate.length > fieldSchema.maxLength)
        return true;
      if (fieldSchema.pattern !== undefined)
        return !new RegExp(fieldSchema.pattern, 'u').test(candidate);
      if (fieldSchema.format === 'email') return !candidate.includes('@') || candidate.length < 6;
      if (fieldSchema.format === 'date-time')
        return Number.isNaN(Date.parse(candidate)) || !/T/.test(candidate);
      return false;
    };
    const extra = fieldSchema.enum
      ? ['OWNER', 'admin', 'root', 'Owner', 'viewer ', 'god']
      : ['not-an-email', '@', 'a@', '@b.c', 'tomorrow', '2024-13-45T99:99:99Z', '2024-01-01'];
    const candidates = [...NASTY_STRINGS, ...extra].filter(refused);
    if (candidates.length === 0) {
      value[field] = null;
      return { value: JSON.stringify(value), field: `${field}:null` };
    }
    value[field] = random.pick(candidates);
    return { value: JSON.stringify(value), field };
  }

  /** A body its schema accepts, holding values that are hard for the services, the store and the projector. */
  private edgeObject(schema: JsonSchema): Record<string, unknown> {
    const random = this.random;
    const value = this.sampleObject(schema, true);
    for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) {
      if (fieldSchema.type !== 'string' || fieldSchema.enum || !random.chance(0.7)) continue;
      if (field === 'compose') {
        value[field] = random.pick(EDGE_COMPOSE);
      } else if (fieldSchema.format === 'date-time') {
        value[field] = random.pick([
          '2999-12-31T23:59:59Z',
          '1970-01-01T00:00:00Z',
          '2030-01-01T00:00:00.123456789+14:00',
          new Date(Date.now() + 1_000).toISOString(),
        ]);
      } else if (field === 'path') {
        value[field] = random.pick([
          'a/b/c',
          this.fx.orgName.toUpperCase(),
          `${this.fx.orgName}/nope`,
          '/',
          '//',
          '..',
          ' ',
          this.fx.orgName,
        ]);
      } else if (fieldSchema.pattern !== undefined || fieldSchema.format !== undefined) {
        value[field] = this.longestValid(fieldSchema) ?? value[field];
      } else {
        const max = fieldSchema.maxLength ?? 10_000;
        value[field] = random.chance(0.2)
          ? '\u00e9'.repeat(max)
          : random.pick(EDGE_STRINGS).slice(0, max);
      }
    }
    return value;
  }

  private longestValid(schema: JsonSchema): string | undefined {
    const max = schema.maxLength ?? 63;
    const n = ++this.counter;
    const candidates = [
      `F${n}`.padEnd(max, 'z'),
      `f${n}`.padEnd(max, 'z'),
      `f${n}`.padEnd(max, '-'),
      `F${n}`.padEnd(max - 1, ' ') + '.',
      `F${n}`.padEnd(max, '_'),
    ];
    return candidates.find((c) => this.accepts(schema, c));
  }

  private accepts(schema: JsonSchema, value: string): boolean {
    if (schema.minLength !== undefined && value.length < schema.minLength) return false;
    if (schema.maxLength !== undefined && value.length > schema.maxLength) return false;
    return schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(value);
  }

  /** A valid instance of an object schema (optional fields sometimes left out). */
  private sampleObject(schema: JsonSchema, allOptional = false): Record<string, unknown> {
    const value: Record<string, unknown> = {};
    const required = new Set(schema.required ?? []);
    for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) {
      if (!required.has(field) && !allOptional && !this.random.chance(0.4)) continue;
      value[field] = this.sample(field, fieldSchema);
    }
    // A PATCH needs at least one field.
    if (Object.keys(value).length === 0) {
      const first = Object.entries(schema.properties ?? {})[0];
      if (first) value[first[0]] = this.sample(first[0], first[1]);
    }
    return value;
  }

  private sample(field: string, schema: JsonSchema): unknown {
    if (schema.enum) return this.random.pick(schema.enum);
    switch (schema.type) {
      case 'boolean':
        return this.random.chance(0.5);
      case 'integer':
      case 'number':
        return schema.minimum ?? 1;
      case 'object':
        if (field === 'scope')
          return {
            path: this.fx.orgName,
            maxRole: this.random.pick(['viewer', 'developer', 'owner']),
          };
        return this.sampleObject(schema);
      case 'array':
        return [];
      default: {
        const n = ++this.counter;
        if (field === 'compose') return COMPOSE;
        if (schema.format === 'email') return `fuzz-${SEED}-${n}@example.com`;
        if (schema.format === 'date-time') return '2099-01-01T00:00:00Z';
        if (schema.format === 'uuid') return this.fx.userId;
        if (field === 'path') return this.fx.orgName;
        const candidates = [`fuzz-${n}`, `Fuzz ${n}`, `fuzz${n}`, `FUZZ_${n}`, String(n), 'x'];
        return candidates.find((c) => this.accepts(schema, c)) ?? 'x';
      }
    }
  }
}

/** The template with its parameters filled in; `raw` ones are inserted as they are (already malformed). */
function fill(
  template: string,
  params: Record<string, string>,
  raw: ReadonlySet<string> = new Set(),
): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name] ?? 'missing';
    return raw.has(name) ? value : percentEncode(value);
  });
}

/** encodeURIComponent that also takes lone surrogates (sent as U+FFFD, as a UTF-8 client would). */
function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.!~*'()]/.test(c)
      ? c
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Query values keep their deliberate percent-sequences; anything unsafe on the wire is encoded. */
function encodeQueryValue(value: string): string {
  return value.replace(/[^\x21-\x7e]|[&#+]/g, (c) => percentEncode(c));
}

/** Malformed HTTP written straight to a socket: the parser refuses these before any route runs. */
function rawCases(fx: Fixtures): RawCase[] {
  const auths = [
    '',
    `Authorization: Bearer ${fx.adminKey}\r\n`,
    `Authorization: Bearer ${fx.userKey}\r\n`,
  ];
  const cases: RawCase[] = [];
  const add = (label: string, mustFail: boolean, build: (auth: string) => string) => {
    auths.forEach((auth, i) =>
      cases.push({
        label: `raw:${label}${i === 0 ? '' : i === 1 ? '(admin)' : '(user)'}`,
        payload: build(auth),
        mustFail,
      }),
    );
  };
  const close = 'Connection: close\r\n';
  add('unknown-method', true, (a) => `FOO /v1/whoami HTTP/1.1\r\nHost: fuzz\r\n${a}${close}\r\n`);
  add(
    'header-overflow',
    true,
    (a) =>
      `GET /v1/whoami HTTP/1.1\r\nHost: fuzz\r\n${a}X-Big: ${'x'.repeat(20_000)}\r\n${close}\r\n`,
  );
  add('bad-version', true, (a) => `GET /v1/whoami HTTP/9.9\r\nHost: fuzz\r\n${a}${close}\r\n`);
  add('tls-hello', true, () => '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + '\x00'.repeat(32));
  add(
    'header-without-colon',
    true,
    (a) => `GET /v1/whoami HTTP/1.1\r\nHost: fuzz\r\n${a}NoColon\r\n${close}\r\n`,
  );
  add(
    'control-char-in-header',
    true,
    (a) => `GET /v1/whoami HTTP/1.1\r\nHost: fuzz\r\n${a}X-A: a\x01b\r\n${close}\r\n`,
  );
  add(
    'content-length-and-chunked',
    true,
    (a) =>
      `POST /v1/organizations HTTP/1.1\r\nHost: fuzz\r\n${a}Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n${close}\r\n0\r\n\r\n`,
  );
  add(
    'bad-chunk',
    true,
    (a) =>
      `POST /v1/organizations HTTP/1.1\r\nHost: fuzz\r\n${a}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n${close}\r\nzz\r\nabc\r\n0\r\n\r\n`,
  );
  add('no-leading-slash', true, (a) => `GET v1/whoami HTTP/1.1\r\nHost: fuzz\r\n${a}${close}\r\n`);
  add(
    'negative-content-length',
    true,
    (a) => `GET /v1/whoami HTTP/1.1\r\nHost: fuzz\r\n${a}Content-Length: -1\r\n${close}\r\n`,
  );
  add(
    'two-content-lengths',
    true,
    (a) =>
      `POST /v1/organizations HTTP/1.1\r\nHost: fuzz\r\n${a}Content-Length: 1\r\nContent-Length: 2\r\n${close}\r\nab`,
  );
  add('nul-in-path', true, (a) => `GET /v1/who\x00ami HTTP/1.1\r\nHost: fuzz\r\n${a}${close}\r\n`);
  add(
    'space-in-header-name',
    true,
    (a) => `GET /v1/whoami HTTP/1.1\r\nHost: fuzz\r\n${a}Bad Header: x\r\n${close}\r\n`,
  );
  add('missing-host', true, (a) => `GET /v1/whoami HTTP/1.1\r\n${a}${close}\r\n`);
  add('http2-preface', true, () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  add(
    'connect',
    true,
    (a) => `CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\n${a}\r\n`,
  );
  add(
    'bad-percent-encoding',
    true,
    (a) => `GET /v1/organizations/%c0%af HTTP/1.1\r\nHost: fuzz\r\n${a}${close}\r\n`,
  );
  add(
    'bare-lf',
    false,
    (a) =>
      `GET /v1/whoami HTTP/1.1\nHost: fuzz\n${a.replace('\r\n', '\n')}${close.replace('\r\n', '\n')}\n`,
  );
  add(
    'absolute-form',
    false,
    (a) => `GET http://example.invalid/v1/whoami HTTP/1.1\r\nHost: fuzz\r\n${a}${close}\r\n`,
  );
  add('asterisk-form', false, (a) => `OPTIONS * HTTP/1.1\r\nHost: fuzz\r\n${a}${close}\r\n`);
  add('http-1.0', false, (a) => `GET /v1/whoami HTTP/1.0\r\n${a}\r\n`);
  return cases;
}

// ---------------------------------------------------------------------------
// Sending.

/** Bodies over the gateway's 1 MiB limit go over a raw socket (see `send`). */
const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Sends a case. A request that fails before any answer on a reused keep-alive
 * connection is sent again once on a new one: the server may close an idle
 * connection just as the client reuses it (Node's documented `reusedSocket`
 * race), which says nothing about the request. A body over the limit is
 * written to a socket of its own: the gateway answers 413 without reading it,
 * which an HTTP client still writing would report as EPIPE instead of the answer.
 */
async function send(base: URL, agent: http.Agent, c: FuzzCase): Promise<Outcome> {
  if (c.body !== undefined && Buffer.byteLength(c.body) > BODY_LIMIT_BYTES) {
    const head = [
      `${c.method} ${c.path} HTTP/1.1`,
      `Host: ${base.host}`,
      ...Object.entries(c.headers).map(([name, value]) => `${name}: ${value}`),
      `Content-Length: ${Buffer.byteLength(c.body)}`,
      'Connection: close',
    ];
    return sendRaw(
      base,
      Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(c.body)]),
    );
  }
  const first = await sendOnce(base, agent, c);
  if (first.outcome.status !== undefined || !first.reused) return first.outcome;
  const second = await sendOnce(base, false, c);
  return second.outcome.status === undefined
    ? {
        ...second.outcome,
        error: `${first.outcome.error ?? ''} on a reused connection, then ${second.outcome.error ?? ''} on a new one`,
      }
    : second.outcome;
}

function sendOnce(
  base: URL,
  agent: http.Agent | false,
  c: FuzzCase,
): Promise<{ outcome: Outcome; reused: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    let request: http.ClientRequest;
    const finish = (outcome: Outcome) => {
      if (!settled) {
        settled = true;
        resolve({ outcome, reused: request.reusedSocket });
      }
    };
    try {
      request = http.request({
        host: base.hostname,
        port: base.port,
        method: c.method,
        path: c.path,
        headers: c.headers,
        agent,
        timeout: REQUEST_TIMEOUT_MS,
      });
    } catch (error) {
      // The client library refused to send it: a defect of this spec, not of the platform.
      throw new Error(`cannot send ${c.label} ${c.method} ${c.path}: ${String(error)}`);
    }
    let started: Outcome | undefined;
    const chunks: Buffer[] = [];
    request.on('response', (response) => {
      started = { status: response.statusCode ?? 0, headers: flatten(response.headers), body: '' };
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        finish({ ...(started as Outcome), body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => {
        finish({
          ...(started as Outcome),
          body: Buffer.concat(chunks).toString('utf8'),
          error: error.message,
        });
      });
    });
    request.on('timeout', () =>
      request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    request.on('error', (error) => {
      // The answer came and the server then closed the connection: keep the answer.
      if (started) finish({ ...started, body: Buffer.concat(chunks).toString('utf8') });
      else finish({ headers: {}, body: '', error: error.message });
    });
    request.end(c.body);
  });
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function sendRaw(base: URL, payload: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(base.port), base.hostname);
    let data = Buffer.alloc(0);
    const done = (error?: string) => {
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseRawResponse(data);
      resolve(error && parsed.status === undefined ? { ...parsed, error } : parsed);
    };
    const timer = setTimeout(() => {
      done(`no answer within ${REQUEST_TIMEOUT_MS} ms`);
    }, REQUEST_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      // A complete answer on a connection the server keeps open is enough.
      const parsed = parseRawResponse(data);
      if (parsed.status !== undefined && parsed.complete) done();
    });
    socket.on('error', (error) => {
      done(error.message);
    });
    socket.on('close', () => {
      done();
    });
    socket.write(payload);
  });
}

function parseRawResponse(data: Buffer): Outcome & { complete: boolean } {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return { headers: {}, body: '', complete: false };
  const [statusLine = '', ...headerLines] = text.slice(0, end).split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  let complete = false;
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const decoded: Buffer[] = [];
    let rest = body;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd === -1) break;
      const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) break;
      if (size === 0) {
        complete = true;
        break;
      }
      decoded.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
    body = Buffer.concat(decoded);
  } else if (headers['content-length'] !== undefined) {
    complete = body.length >= Number(headers['content-length']);
  }
  return {
    ...(status !== undefined ? { status: Number(status) } : {}),
    headers,
    body: body.toString('utf8'),
    complete,
  };
}

// ---------------------------------------------------------------------------
// Judging.

/** Why an answer breaks the contract, or undefined when it keeps it. */
function verdict(method: string, mustFail: boolean, outcome: Outcome): string | undefined {
  if (outcome.status === undefined)
    return `no HTTP answer (${outcome.error ?? 'connection closed'})`;
  const status = outcome.status;
  if (status >= 500) return `server error ${status}`;
  if (status < 400) return mustFail ? `accepted a malformed request with ${status}` : undefined;
  const type = outcome.headers['content-type'] ?? '';
  if (!/^application\/problem\+json(;|$)/.test(type))
    return `${status} with content-type "${type}", not application/problem+json`;
  if (status === 429 && !/^[1-9]\d*$/.test(outcome.headers['retry-after'] ?? ''))
    return '429 without a Retry-After in seconds';
  if (status === 405 && !outcome.headers['allow']) return '405 without an Allow header';
  if (method === 'HEAD') return undefined;
  let problem: unknown;
  try {
    problem = JSON.parse(outcome.body);
  } catch {
    return `${status} body is not JSON`;
  }
  if (typeof problem !== 'object' || problem === null || Array.isArray(problem))
    return `${status} body is not a problem object`;
  const p = problem as Record<string, unknown>;
  for (const field of ['type', 'title', 'code', 'correlationId'] as const) {
    if (typeof p[field] !== 'string' || p[field] === '') return `problem without a ${field}`;
  }
  if (p['status'] !== status)
    return `problem status ${String(p['status'])} differs from the HTTP status ${status}`;
  if (p['detail'] !== undefined && typeof p['detail'] !== 'string')
    return 'problem detail is not a string';
  if (p['errors'] !== undefined) {
    const errors = p['errors'];
    if (
      !Array.isArray(errors) ||
      !errors.every(
        (e: unknown) =>
          typeof e === 'object' &&
          e !== null &&
          typeof (e as { field?: unknown }).field === 'string' &&
          typeof (e as { message?: unknown }).message === 'string',
      )
    ) {
      return 'problem errors are not [{ field, message }]';
    }
  }
  const requestId = outcome.headers['x-request-id'];
  if (requestId !== undefined && requestId !== p['correlationId'])
    return 'problem correlationId differs from X-Request-Id';
  return undefined;
}

const clip = (text: string, max = 240): string =>
  JSON.stringify(text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);

// ---------------------------------------------------------------------------

describe('fuzzing every endpoint with malformed requests', () => {
  let platform: PlatformProcess | undefined;
  let fx: Fixtures;

  beforeAll(async () => {
    platform = await startPlatformProcess('fuzz');
    const admin = new ApiClient(platform.url, platform.adminKey);
    const created = async <T>(method: string, path: string, body?: unknown) =>
      admin.ok<T & { position: string }>(method, path, body);
    const whoami = await admin.ok<{ user: { id: string } }>('GET', '/v1/whoami');
    const userEmail = `fuzz-user-${SEED}@example.com`;
    const user = await created<{ id: string }>('POST', '/v1/users', {
      email: userEmail,
      name: 'Fuzz User',
    });
    const consistent = (position: string) => ({ headers: { 'x-consistent-read': position } });
    const userKey = await admin.ok<{ id: string; key: string }>(
      'POST',
      `/v1/users/${user.id}/api-keys`,
      { name: 'fuzz' },
      consistent(user.position),
    );
    const spare = await created<{ id: string; key: string }>(
      'POST',
      `/v1/users/${user.id}/api-keys`,
      { name: 'target' },
    );
    const revoked = await created<{ id: string; key: string }>(
      'POST',
      `/v1/users/${user.id}/api-keys`,
      { name: 'revoked' },
    );
    await admin.ok('DELETE', `/v1/api-keys/${revoked.id}`, undefined, consistent(revoked.position));
    const orgName = `Fuzz Org ${SEED}`;
    const org = await created<{ id: string }>('POST', '/v1/organizations', { name: orgName });
    const privateOrg = await created<{ id: string }>('POST', '/v1/organizations', {
      name: `Fuzz Private ${SEED}`,
    });
    const project = await admin.ok<{ id: string; position: string }>(
      'POST',
      `/v1/organizations/${org.id}/projects`,
      { name: 'Fuzz Project' },
      consistent(org.position),
    );
    const site = await admin.ok<{ id: string; position: string }>(
      'POST',
      `/v1/projects/${project.id}/sites`,
      { name: 'fuzz-site', compose: COMPOSE },
      consistent(project.position),
    );
    const grant = await admin.ok<{ position: string }>(
      'PUT',
      `/v1/organizations/${org.id}/members/${user.id}`,
      { role: 'viewer' },
      consistent(site.position),
    );
    // Everything above is visible to every later request.
    const asUser = new ApiClient(platform.url, userKey.key);
    await asUser.ok('GET', `/v1/sites/${site.id}`, undefined, consistent(grant.position));
    fx = {
      adminKey: platform.adminKey,
      adminId: whoami.user.id,
      userKey: userKey.key,
      userId: user.id,
      userEmail,
      revokedKey: revoked.key,
      userKeyId: spare.id,
      orgId: org.id,
      orgName,
      privateOrgId: privateOrg.id,
      projectId: project.id,
      siteId: site.id,
      position: grant.position,
    };
  }, 150_000);

  afterAll(async () => {
    await platform?.stop();
  }, 30_000);

  it(`answers ${HTTP_REQUESTS}+ malformed requests with problem+json 4xx and never a 5xx (FUZZ_SEED=${SEED})`, async () => {
    const started = Date.now();
    const url = platform!.url;
    const base = new URL(url);
    const random = new SeededRandom(SEED);

    // 1. Every documented endpoint, plus the service endpoints every app serves.
    const document = await new ApiClient(url).ok<OpenApiDocument>('GET', '/v1/openapi.json');
    const operations = operationsOf(document);
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      if (!operations.some((op) => op.template === path))
        operations.push({
          method: 'GET',
          template: path,
          pathParams: [],
          queryParams: [],
          headerParams: [],
          public: true,
        });
    }
    const endpoints = operations.map((op) => `${op.method} ${op.template}`);
    expect(operations.length).toBeGreaterThanOrEqual(30);
    expect(endpoints).toEqual(
      expect.arrayContaining([
        'POST /v1/organizations',
        'PATCH /v1/projects/{projectId}',
        'PUT /v1/sites/{siteId}/compose',
        'PUT /v1/organizations/{orgId}/members/{userId}',
        'DELETE /v1/api-keys/{keyId}',
        'GET /healthz',
        'GET /metrics',
      ]),
    );
    const allowed = new Map<string, Set<string>>();
    for (const op of operations)
      allowed.set(op.template, (allowed.get(op.template) ?? new Set()).add(op.method));

    // 2. Cases: each mutation on each endpoint once, then random ones.
    const factory = new CaseFactory(random, fx, allowed);
    const cases: FuzzCase[] = [];
    for (const op of operations)
      for (const mutation of factory.mutationsFor(op)) cases.push(factory.build(op, mutation));
    while (cases.length < HTTP_REQUESTS) {
      const op = random.pick(operations);
      cases.push(factory.build(op, factory.randomMutation(op)));
    }
    random.shuffle(cases);

    // 3. Send them with bounded concurrency and judge every answer.
    const findings: string[] = [];
    const statuses = new Map<number | string, number>();
    let sent = 0;
    const record = (description: string, method: string, mustFail: boolean, outcome: Outcome) => {
      sent++;
      const key = outcome.status ?? 'none';
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      const problem = verdict(method, mustFail, outcome);
      if (problem) {
        findings.push(
          `${problem}: ${description}\n    → ${outcome.status ?? '-'} ${outcome.headers['content-type'] ?? ''} ${clip(outcome.body)}`,
        );
      }
    };
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    let tooMany = 0;
    try {
      await forEachConcurrently(cases, CONCURRENCY, async (c) => {
        const outcome = await send(base, agent, c);
        const headers = Object.entries(c.headers)
          .filter(([name]) => name !== 'authorization')
          .map(([name, value]) => `${name}: ${clip(value, 80)}`)
          .join('; ');
        record(
          `[${c.label}] ${c.method} ${clip(c.path, 160)} as ${c.actor}${headers ? ` {${headers}}` : ''}${c.body !== undefined ? ` body=${clip(c.body, 160)}` : ''}`,
          c.method,
          c.mustFail,
          outcome,
        );
      });

      // 4. Malformed HTTP on raw sockets.
      await forEachConcurrently(rawCases(fx), 8, async (c) => {
        record(
          `[${c.label}] ${clip(c.payload, 120)}`,
          'RAW',
          c.mustFail,
          await sendRaw(base, Buffer.from(c.payload, 'latin1')),
        );
      });

      // 5. The failed-authentication budget of one address runs out: 429 with Retry-After, as a problem.
      const throttled: FuzzCase = {
        label: 'auth:throttled',
        actor: 'garbled key',
        method: 'GET',
        path: '/v1/whoami',
        headers: {
          authorization: 'Bearer siteops_abcdefgh12345678_nope',
          'x-forwarded-for': '203.0.113.77',
        },
        mustFail: true,
      };
      for (let i = 0; i < 45; i++) {
        const outcome = await send(base, agent, throttled);
        if (outcome.status === 429) tooMany++;
        record(
          `[${throttled.label} #${i + 1}] GET /v1/whoami from 203.0.113.77`,
          'GET',
          true,
          outcome,
        );
      }
      const blockedAdmin = await send(base, agent, {
        ...throttled,
        label: 'auth:valid-key-from-blocked-address',
        actor: 'admin',
        headers: { ...throttled.headers, authorization: `Bearer ${fx.adminKey}` },
        mustFail: false,
      });
      record(
        '[auth:valid-key-from-blocked-address] GET /v1/whoami from 203.0.113.77',
        'GET',
        false,
        blockedAdmin,
      );
    } finally {
      agent.destroy();
    }

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const histogram = [...statuses.entries()]
      .sort(([a], [b]) => String(a).localeCompare(String(b)))
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    process.stdout.write(
      `fuzz.e2e: FUZZ_SEED=${SEED} ${sent} requests to ${operations.length} endpoints in ${seconds} s; statuses ${histogram}\n`,
    );

    // 6. The verdicts.
    const report = process.env['FUZZ_REPORT'];
    if (report) fs.writeFileSync(report, findings.map((f) => `- ${f}\n`).join(''));
    expect(sent).toBeGreaterThanOrEqual(2_000);
    const shown = findings
      .slice(0, 40)
      .map((f) => `- ${f}`)
      .join('\n');
    const more = findings.length > 40 ? `\n… and ${findings.length - 40} more` : '';
    expect(
      findings.length === 0
        ? 'no findings'
        : `${findings.length} of ${sent} answers break the contract (FUZZ_SEED=${SEED}):\n${shown}${more}`,
    ).toBe('no findings');
    // 45 failures from one address (split over at most two 60 s windows) exceed a budget of 20.
    expect(tooMany).toBeGreaterThan(0);
    // Validation was reached, not just authentication.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(sent * 0.3);
    for (const status of [401, 404, 405, 413, 415, 429])
      expect(statuses.get(status) ?? 0).toBeGreaterThan(0);

    // 7. The platform took it all and still serves: the process on this port is ready and answers.
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await new ApiClient(url, fx.adminKey).get('/v1/whoami')).status).toBe(200);
  }, 240_000);
});
