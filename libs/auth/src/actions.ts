import type { Role } from '@siteops/contracts';

/** The minimum effective role for each action on its target (SPEC §3). */
export const REQUIRED_ROLE = {
  read: 'viewer',
  listMembers: 'viewer',
  listSecrets: 'viewer',
  listFirewallRules: 'viewer',
  readEffectiveConfig: 'viewer',
  readStatus: 'viewer',
  createChild: 'developer',
  update: 'developer',
  writeSecrets: 'developer',
  revealSecrets: 'developer',
  writeFirewall: 'developer',
  deploy: 'developer',
  delete: 'owner',
  manageMembers: 'owner',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof REQUIRED_ROLE;
