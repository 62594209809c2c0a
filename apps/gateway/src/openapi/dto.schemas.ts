import {
  levelSchema,
  roleSchema,
  type ApiKeyCreatedDto,
  type ApiKeyDto,
  type MemberDto,
  type OrganizationDto,
  type ProblemDto,
  type ProjectDto,
  type ResolvedPathDto,
  type SiteDto,
  type UserDto,
  type WhoAmIDto,
} from '@siteops/contracts';
import { z } from 'zod';

/*
 * zod descriptions of the response DTOs of libs/contracts, for the OpenAPI
 * document. `satisfies` ties each to its contract type, so a field added to a
 * DTO and not here fails to compile.
 */

const time = z.iso.datetime();
const position = z
  .string()
  .describe('Event-store position (opaque): send it back as X-Consistent-Read');
const scope = z.object({ path: z.string(), maxRole: roleSchema }).nullable();
const ref = z.object({ level: levelSchema, id: z.uuid() });

export const userDto = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  platformAdmin: z.boolean(),
  createdAt: time,
}) satisfies z.ZodType<UserDto>;

export const apiKeyDto = z.object({
  id: z.string(),
  name: z.string(),
  userId: z.uuid(),
  expiresAt: time.nullable(),
  scope,
  createdAt: time,
  revokedAt: time.nullable(),
}) satisfies z.ZodType<ApiKeyDto>;

export const apiKeyCreatedDto = z.object({
  id: z.string(),
  name: z.string(),
  key: z.string().describe('The API key: shown in this response only'),
  expiresAt: time.nullable(),
  scope,
}) satisfies z.ZodType<ApiKeyCreatedDto>;

export const whoAmIDto = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string() }),
  apiKey: z.object({ id: z.string(), name: z.string(), expiresAt: time.nullable(), scope }),
  platformAdmin: z
    .boolean()
    .describe('True when this key may act as platform admin (an admin user with an unscoped key)'),
}) satisfies z.ZodType<WhoAmIDto>;

const versioned = { createdAt: time, updatedAt: time, version: z.number().int() };

export const organizationDto = z.object({
  id: z.uuid(),
  name: z.string(),
  ...versioned,
}) satisfies z.ZodType<OrganizationDto>;

export const projectDto = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  name: z.string(),
  description: z.string(),
  ...versioned,
}) satisfies z.ZodType<ProjectDto>;

export const siteDto = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  projectId: z.uuid(),
  name: z.string(),
  environment: z.string(),
  autoDeploy: z.boolean(),
  compose: z.object({
    revision: z.number().int(),
    hash: z.string(),
    document: z
      .string()
      .optional()
      .describe('The compose YAML of this revision (single-site reads only)'),
  }),
  ...versioned,
}) satisfies z.ZodType<SiteDto>;

export const memberDto = z.object({
  userId: z.uuid(),
  email: z.string(),
  role: roleSchema,
  source: ref.describe('Where the role was granted'),
  inherited: z.boolean().describe('Granted on an ancestor rather than on this resource'),
}) satisfies z.ZodType<MemberDto>;

const named = z.object({ id: z.uuid(), name: z.string() });
export const resolvedPathDto = z.object({
  level: levelSchema,
  organization: named,
  project: named.optional(),
  site: named.optional(),
}) satisfies z.ZodType<ResolvedPathDto>;

export const problemDto = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  correlationId: z.string(),
}) satisfies z.ZodType<ProblemDto>;

/** A write's answer: the resource plus the store position of the write. */
export function writeOf(schema: z.ZodObject) {
  return schema.extend({ position });
}

export const deletedDto = z.object({
  id: z.string(),
  version: z.number().int(),
  position,
  deleted: z.array(ref).describe('Every resource the delete removed, children first'),
});

export const memberRevokedDto = z.object({
  userId: z.uuid(),
  resource: ref,
  version: z.number().int(),
  position,
});

export function pageOf(item: z.ZodType) {
  return z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as ?cursor= for the next page; null on the last'),
  });
}
