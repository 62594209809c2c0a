import { z } from 'zod';
import { emailSchema, entityNameSchema, resourceRefSchema, roleSchema, slugSchema } from './common';
import type { ServiceName } from './subjects';

/** Metadata every command carries across the bus. */
export interface CommandMetadata {
  readonly commandId: string;
  readonly correlationId: string;
  /** The id of what caused this command (a request id or an event id). */
  readonly causationId: string;
  /** The user id on whose behalf the command runs, or `system:<service>`. */
  readonly actor: string;
  readonly at: string;
}

export interface Command<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
  readonly metadata: CommandMetadata;
}

/** What a write returns: the resource's new stream version and the store position. */
export interface WriteResult {
  id: string;
  version: number;
  position: string;
}

const expectedVersion = z.number().int().min(0).optional();
const uuid = z.uuid();

/** Compose documents travel as the YAML text the user wrote (at most 256 KiB). */
export const COMPOSE_MAX_BYTES = 256 * 1024;
export const composeTextSchema = z
  .string()
  .min(1, 'must not be empty')
  .refine((s) => Buffer.byteLength(s, 'utf8') <= COMPOSE_MAX_BYTES, 'must be at most 256 KiB');

export const descriptionSchema = z.string().max(1000, 'must be at most 1000 characters');

export const commandSchemas = {
  // identity
  RegisterUser: z.object({
    userId: uuid,
    email: emailSchema,
    name: z.string().min(1).max(200),
    platformAdmin: z.boolean().default(false),
  }),
  IssueApiKey: z.object({
    keyId: z.string().regex(/^[a-z0-9]{8,64}$/),
    userId: uuid,
    name: z.string().min(1).max(100),
    secretSha256: z.string().regex(/^[0-9a-f]{64}$/),
    expiresAt: z.iso.datetime().nullable(),
    scope: z
      .object({ path: z.string(), level: z.enum(['organization', 'project', 'site']), resourceId: uuid, maxRole: roleSchema })
      .nullable(),
  }),
  RevokeApiKey: z.object({ keyId: z.string().min(1) }),
  GrantRole: z.object({ resource: resourceRefSchema, userId: uuid, role: roleSchema }),
  RevokeRole: z.object({ resource: resourceRefSchema, userId: uuid }),
  // hierarchy
  CreateOrganization: z.object({ organizationId: uuid, name: entityNameSchema }),
  RenameOrganization: z.object({ organizationId: uuid, name: entityNameSchema, expectedVersion }),
  DeleteOrganization: z.object({ organizationId: uuid, cascade: z.boolean(), expectedVersion }),
  CreateProject: z.object({
    projectId: uuid,
    organizationId: uuid,
    name: entityNameSchema,
    description: descriptionSchema.default(''),
  }),
  UpdateProject: z.object({
    projectId: uuid,
    name: entityNameSchema.optional(),
    description: descriptionSchema.optional(),
    expectedVersion,
  }),
  DeleteProject: z.object({ projectId: uuid, cascade: z.boolean(), expectedVersion }),
  CreateSite: z.object({
    siteId: uuid,
    projectId: uuid,
    name: slugSchema,
    environment: slugSchema.optional(),
    compose: composeTextSchema,
    autoDeploy: z.boolean().default(false),
  }),
  UpdateSite: z.object({
    siteId: uuid,
    name: slugSchema.optional(),
    environment: slugSchema.optional(),
    autoDeploy: z.boolean().optional(),
    expectedVersion,
  }),
  ReviseSiteCompose: z.object({ siteId: uuid, compose: composeTextSchema, expectedVersion }),
  DeleteSite: z.object({ siteId: uuid, purgeVolumes: z.boolean().default(false), expectedVersion }),
} as const;

export type CommandSchemas = typeof commandSchemas;
export type CommandType = keyof CommandSchemas;
export type CommandData<T extends CommandType> = z.output<CommandSchemas[T]>;
export type CommandInput<T extends CommandType> = z.input<CommandSchemas[T]>;

/** What each command replies with when it succeeds. */
export interface CommandResults {
  RegisterUser: WriteResult;
  IssueApiKey: WriteResult;
  RevokeApiKey: WriteResult;
  GrantRole: WriteResult;
  RevokeRole: WriteResult;
  CreateOrganization: WriteResult;
  RenameOrganization: WriteResult;
  DeleteOrganization: WriteResult & { deleted: { level: string; id: string }[] };
  CreateProject: WriteResult;
  UpdateProject: WriteResult;
  DeleteProject: WriteResult & { deleted: { level: string; id: string }[] };
  CreateSite: WriteResult;
  UpdateSite: WriteResult;
  ReviseSiteCompose: WriteResult & { revision: number };
  DeleteSite: WriteResult;
}

/** Which service handles each command. */
export const commandOwners: Record<CommandType, ServiceName> = {
  RegisterUser: 'identity',
  IssueApiKey: 'identity',
  RevokeApiKey: 'identity',
  GrantRole: 'identity',
  RevokeRole: 'identity',
  CreateOrganization: 'hierarchy',
  RenameOrganization: 'hierarchy',
  DeleteOrganization: 'hierarchy',
  CreateProject: 'hierarchy',
  UpdateProject: 'hierarchy',
  DeleteProject: 'hierarchy',
  CreateSite: 'hierarchy',
  UpdateSite: 'hierarchy',
  ReviseSiteCompose: 'hierarchy',
  DeleteSite: 'hierarchy',
};
