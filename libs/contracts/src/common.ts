import { z } from 'zod';

/** The three levels of the hierarchy, named as the REST API and events name them. */
export const LEVELS = ['organization', 'project', 'site'] as const;
export type Level = (typeof LEVELS)[number];
export const levelSchema = z.enum(LEVELS);

/** Roles, lowest first. The lattice (owner > developer > viewer) lives in libs/auth. */
export const ROLES = ['viewer', 'developer', 'owner'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** A resource of the hierarchy, by level and id. */
export interface ResourceRef {
  readonly level: Level;
  readonly id: string;
}
export const resourceRefSchema = z.object({ level: levelSchema, id: z.uuid() });

/** Organization and project names: 1–100 chars, SPEC §1. */
export const ENTITY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _.-]*$/;
export const entityNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(ENTITY_NAME_PATTERN, 'must start with a letter or digit and contain only letters, digits, space, _ . -');

/** Site names and environment labels are slugs. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const slugSchema = z
  .string()
  .regex(SLUG_PATTERN, 'must be a lower-case slug: a-z, 0-9 and -, starting with a letter or digit, at most 63 characters');

/** Key used for case-insensitive uniqueness of organization and project names. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** ISO-8601 timestamp as it travels in events and DTOs. */
export type IsoTime = string;

/**
 * An e-mail address: an RFC 5322 dot-atom local part, `@`, and a host name
 * (dotted or not: `admin@localhost` and `ops@intranet` are the addresses
 * of intranet installations, and SPEC §3's default admin is one of them).
 * Quoted local parts and address literals (`a@[10.0.0.1]`) are refused as
 * no directory of users needs them.
 */
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isEmailAddress(text: string): boolean {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return false;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (local.length > 64 || domain.length > 253 || !EMAIL_LOCAL.test(local)) return false;
  return domain.split('.').every((label) => HOST_LABEL.test(label));
}

export const emailSchema = z
  .string()
  .max(320, 'must be at most 320 characters')
  .refine(isEmailAddress, 'must be an e-mail address: local part, @, and a host name (e.g. ops@example.edu or ops@localhost)');
