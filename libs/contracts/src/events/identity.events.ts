import type { Level, ResourceRef, Role } from '../common';
import type { Event } from './envelope';

export type UserRegistered = Event<
  'UserRegistered',
  { userId: string; email: string; name: string; platformAdmin: boolean }
>;

/** The resolved scope of an API key: it narrows, never widens, what its user may do. */
export interface ApiKeyScope {
  /** As the user wrote it: `ORG`, `ORG/PROJECT` or `ORG/PROJECT/SITE`. */
  path: string;
  level: Level;
  resourceId: string;
  maxRole: Role;
}

/** Only the SHA-256 of the key's secret is ever stored. */
export type ApiKeyIssued = Event<
  'ApiKeyIssued',
  {
    keyId: string;
    userId: string;
    name: string;
    secretSha256: string;
    expiresAt: string | null;
    scope: ApiKeyScope | null;
  }
>;

export type ApiKeyRevoked = Event<'ApiKeyRevoked', { keyId: string; userId: string }>;

export type MemberRoleGranted = Event<
  'MemberRoleGranted',
  { resource: ResourceRef; userId: string; role: Role; previousRole: Role | null }
>;

export type MemberRoleRevoked = Event<
  'MemberRoleRevoked',
  { resource: ResourceRef; userId: string; previousRole: Role }
>;

/**
 * The only event of `streams.platform()`. Appended with expected version
 * `no_stream` in the transaction that creates the platform admin and its
 * key, so the first-start bootstrap happens once per installation however
 * many replicas start together.
 */
export type PlatformBootstrapped = Event<'PlatformBootstrapped', { adminUserId: string; adminKeyId: string }>;

export type UserEvent = UserRegistered;
export type ApiKeyEvent = ApiKeyIssued | ApiKeyRevoked;
export type MemberEvent = MemberRoleGranted | MemberRoleRevoked;
export type PlatformEvent = PlatformBootstrapped;
export type IdentityEvent = UserEvent | ApiKeyEvent | MemberEvent | PlatformEvent;
