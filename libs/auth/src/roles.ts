import { ROLES, type Role } from '@siteops/contracts';

/** owner > developer > viewer */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function atLeast(role: Role | null, required: Role): boolean {
  return role !== null && roleRank(role) >= roleRank(required);
}

export function higherRole(a: Role | null, b: Role | null): Role | null {
  if (a === null) return b;
  if (b === null) return a;
  return roleRank(a) >= roleRank(b) ? a : b;
}

export function lowerRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}
