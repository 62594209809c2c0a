import type { Role } from '@siteops/contracts';

/**
 * Roles, highest first (as help lists them). Declared here instead of using
 * the contracts' `ROLES` value because the contracts entry point loads zod
 * (~60 ms), a cost every sitectl start would pay; the type check below stops
 * compilation if contracts ever adds or renames a role.
 */
export const ROLE_CHOICES = ['owner', 'developer', 'viewer'] as const satisfies readonly Role[];

type MissingRole = Exclude<Role, (typeof ROLE_CHOICES)[number]>;
export const _everyRoleListed: [MissingRole] extends [never] ? true : never = true;

/** owner > developer > viewer. */
export function roleRank(role: Role): number {
  return ROLE_CHOICES.length - ROLE_CHOICES.indexOf(role);
}
