import { z } from 'zod';
import { emailSchema, entityNameSchema, roleSchema, slugSchema, type Level, type Role } from './common';
import { composeTextSchema, descriptionSchema } from './commands';

/** REST request bodies (SPEC §4). Unknown fields are rejected, so typos surface as 400s. */
export const apiBodies = {
  createUser: z.strictObject({ email: emailSchema, name: z.string().min(1).max(200) }),
  createApiKey: z.strictObject({
    name: z.string().min(1).max(100),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    scope: z.strictObject({ path: z.string().min(1).max(300), maxRole: roleSchema }).optional(),
  }),
  createOrganization: z.strictObject({ name: entityNameSchema }),
  patchOrganization: z.strictObject({ name: entityNameSchema }),
  createProject: z.strictObject({ name: entityNameSchema, description: descriptionSchema.optional() }),
  patchProject: z
    .strictObject({ name: entityNameSchema.optional(), description: descriptionSchema.optional() })
    .refine((b) => b.name !== undefined || b.description !== undefined, 'give at least one of name, description'),
  createSite: z.strictObject({
    name: slugSchema,
    environment: slugSchema.optional(),
    compose: composeTextSchema,
    autoDeploy: z.boolean().optional(),
  }),
  patchSite: z
    .strictObject({ name: slugSchema.optional(), environment: slugSchema.optional(), autoDeploy: z.boolean().optional() })
    .refine(
      (b) => b.name !== undefined || b.environment !== undefined || b.autoDeploy !== undefined,
      'give at least one of name, environment, autoDeploy',
    ),
  putCompose: z.strictObject({ compose: composeTextSchema }),
  putMember: z.strictObject({ role: roleSchema }),
} as const;

export type ApiBody<K extends keyof typeof apiBodies> = z.output<(typeof apiBodies)[K]>;

/** `?limit=&cursor=` on every list. */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(500).optional(),
});

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Versioned {
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface UserDto {
  id: string;
  email: string;
  name: string;
  platformAdmin: boolean;
  createdAt: string;
}

export interface ApiKeyDto {
  id: string;
  name: string;
  userId: string;
  expiresAt: string | null;
  scope: { path: string; maxRole: Role } | null;
  createdAt: string;
  revokedAt: string | null;
}

/** Returned once, when a key is created: `key` is never shown again. */
export interface ApiKeyCreatedDto {
  id: string;
  name: string;
  key: string;
  expiresAt: string | null;
  scope: { path: string; maxRole: Role } | null;
}

export interface WhoAmIDto {
  user: { id: string; email: string; name: string };
  apiKey: { id: string; name: string; expiresAt: string | null; scope: { path: string; maxRole: Role } | null };
  platformAdmin: boolean;
}

export interface OrganizationDto extends Versioned {
  id: string;
  name: string;
}

export interface ProjectDto extends Versioned {
  id: string;
  organizationId: string;
  name: string;
  description: string;
}

export interface SiteDto extends Versioned {
  id: string;
  organizationId: string;
  projectId: string;
  name: string;
  environment: string;
  autoDeploy: boolean;
  compose: { revision: number; hash: string; document?: string };
}

export interface MemberDto {
  userId: string;
  email: string;
  role: Role;
  source: { level: Level; id: string };
  inherited: boolean;
}

/** RFC 9457 problem details, as every error response carries them. */
export interface ProblemDto {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { field: string; message: string }[];
  correlationId: string;
}

/** A resource named by id and name, as `GET /v1/resolve` answers. */
export interface NamedRefDto {
  id: string;
  name: string;
}

/** `GET /v1/resolve?path=ORG[/PROJECT[/SITE]]`: the ids behind a CLI path the caller may see. */
export interface ResolvedPathDto {
  level: Level;
  organization: NamedRefDto;
  project?: NamedRefDto;
  site?: NamedRefDto;
}
