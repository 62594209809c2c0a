import type { EffectiveAspect, Level, Role } from '@siteops/contracts';
import { ROLES } from '@siteops/contracts';
import { canonicalJson, sha256Hex } from './canonical-hash';
import { compareCidrs } from './cidr';

export interface LevelRef {
  level: Level;
  id: string;
}

/** What one level of the path contributes. Secret values never enter this computation. */
export interface LevelConfig {
  ref: LevelRef;
  secrets: readonly { name: string; version: number }[];
  firewall: readonly { ruleId: string; cidr: string; description: string }[];
  grants: readonly { userId: string; role: Role }[];
}

export interface EffectiveInput {
  siteId: string;
  /** Organization, project, site — in that order. */
  levels: readonly [LevelConfig, LevelConfig, LevelConfig];
  compose: { revision: number; hash: string };
}

export interface EffectiveSecret {
  name: string;
  version: number;
  source: LevelRef;
  overrides: { level: Level; id: string; version: number }[];
}

export interface EffectiveFirewallRule {
  cidr: string;
  description: string;
  sources: { level: Level; id: string; ruleId: string }[];
}

export interface EffectiveMember {
  userId: string;
  role: Role;
  source: LevelRef;
}

export interface EffectiveConfig {
  siteId: string;
  hash: string;
  secrets: EffectiveSecret[];
  firewall: EffectiveFirewallRule[];
  members: EffectiveMember[];
  compose: { revision: number; hash: string };
}

/**
 * The effective configuration of a site (SPEC §2), a pure function of its
 * three levels:
 * - secrets by name: the site overrides the project overrides the organization;
 *   the loser levels are kept as `overrides`, nearest first;
 * - firewall: the union of all levels, one entry per normalized CIDR, with every
 *   contributing rule as a source (rules arrive normalized from the firewall service);
 * - members: the highest role along the path; its source is the highest level
 *   granting that role (a lower grant of the same role adds nothing).
 * Output is sorted so that equal inputs give equal bytes and an equal hash.
 */
export function computeEffectiveConfig(input: EffectiveInput): EffectiveConfig {
  const levels = input.levels;
  const body = {
    siteId: input.siteId,
    secrets: mergeSecrets(levels),
    firewall: mergeFirewall(levels),
    members: mergeMembers(levels),
    compose: { revision: input.compose.revision, hash: input.compose.hash },
  };
  return { ...body, hash: effectiveHash(body) };
}

/** sha256 over the canonical form of everything but the hash itself. */
export function effectiveHash(config: Omit<EffectiveConfig, 'hash'>): string {
  return sha256Hex(canonicalJson(config));
}

function mergeSecrets(levels: EffectiveInput['levels']): EffectiveSecret[] {
  const byName = new Map<string, EffectiveSecret>();
  // Nearest level first: the first seen wins, the rest become overrides.
  for (const level of [...levels].reverse()) {
    for (const secret of level.secrets) {
      const winner = byName.get(secret.name);
      if (winner) winner.overrides.push({ level: level.ref.level, id: level.ref.id, version: secret.version });
      else byName.set(secret.name, { name: secret.name, version: secret.version, source: { ...level.ref }, overrides: [] });
    }
  }
  return [...byName.values()].sort((a, b) => compareText(a.name, b.name));
}

function mergeFirewall(levels: EffectiveInput['levels']): EffectiveFirewallRule[] {
  const byCidr = new Map<string, EffectiveFirewallRule>();
  for (const level of levels) {
    for (const rule of [...level.firewall].sort((a, b) => compareText(a.ruleId, b.ruleId))) {
      const entry = byCidr.get(rule.cidr) ?? { cidr: rule.cidr, description: '', sources: [] };
      if (entry.description === '' && rule.description !== '') entry.description = rule.description;
      entry.sources.push({ level: level.ref.level, id: level.ref.id, ruleId: rule.ruleId });
      byCidr.set(rule.cidr, entry);
    }
  }
  return [...byCidr.values()].sort((a, b) => compareCidrs(a.cidr, b.cidr));
}

function mergeMembers(levels: EffectiveInput['levels']): EffectiveMember[] {
  const byUser = new Map<string, EffectiveMember>();
  for (const level of levels) {
    for (const grant of level.grants) {
      const current = byUser.get(grant.userId);
      if (!current || ROLES.indexOf(grant.role) > ROLES.indexOf(current.role)) {
        byUser.set(grant.userId, { userId: grant.userId, role: grant.role, source: { ...level.ref } });
      }
    }
  }
  return [...byUser.values()].sort((a, b) => compareText(a.userId, b.userId));
}

/** Which aspects differ between two effective configurations (for SiteEffectiveConfigChanged). */
export function changedAspects(before: EffectiveConfig | undefined, after: EffectiveConfig): EffectiveAspect[] {
  const aspects: EffectiveAspect[] = ['secrets', 'firewall', 'members', 'compose'];
  if (!before) return aspects;
  return aspects.filter((aspect) => canonicalJson(before[aspect]) !== canonicalJson(after[aspect]));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
