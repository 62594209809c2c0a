import type { ResourceRef } from '../common';
import type { Event } from './envelope';

/**
 * A secret value, encrypted with its organization's data key (AES-256-GCM).
 * The plaintext never reaches the event store.
 */
export interface SealedValue {
  dataKeyId: string;
  iv: string;
  ciphertext: string;
  authTag: string;
}

export type SecretValueSet = Event<
  'SecretValueSet',
  {
    scope: ResourceRef;
    organizationId: string;
    name: string;
    version: number;
    sealed: SealedValue;
    restoredFrom: number | null;
  }
>;
export type SecretDeleted = Event<'SecretDeleted', { scope: ResourceRef; name: string; version: number }>;
export type SecretRevealed = Event<'SecretRevealed', { scope: ResourceRef; name: string; version: number }>;

/** A per-organization data key, wrapped by the platform master key. */
export type DataKeyCreated = Event<
  'DataKeyCreated',
  { organizationId: string; dataKeyId: string; wrappedKey: string; masterKeyId: string }
>;
export type DataKeyRewrapped = Event<
  'DataKeyRewrapped',
  { organizationId: string; dataKeyId: string; wrappedKey: string; masterKeyId: string }
>;

export type FirewallRuleAdded = Event<
  'FirewallRuleAdded',
  { scope: ResourceRef; ruleId: string; cidr: string; description: string }
>;
export type FirewallRuleRemoved = Event<'FirewallRuleRemoved', { scope: ResourceRef; ruleId: string; cidr: string }>;

export const EFFECTIVE_ASPECTS = ['secrets', 'firewall', 'members', 'compose'] as const;
export type EffectiveAspect = (typeof EFFECTIVE_ASPECTS)[number];

export type SiteEffectiveConfigChanged = Event<
  'SiteEffectiveConfigChanged',
  { siteId: string; hash: string; position: string; changed: EffectiveAspect[] }
>;

export type SecretEvent = SecretValueSet | SecretDeleted | SecretRevealed;
export type DataKeyEvent = DataKeyCreated | DataKeyRewrapped;
export type FirewallEvent = FirewallRuleAdded | FirewallRuleRemoved;
export type EffectiveConfigEvent = SiteEffectiveConfigChanged;
