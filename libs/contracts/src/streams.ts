import type { Level } from './common';

/**
 * Stream ids are `<category>-<id>`; the category is what the bus subject and
 * consumers filter on. One place names every stream.
 */
export const streams = {
  user: (userId: string) => `user-${userId}`,
  apiKey: (keyId: string) => `apikey-${keyId}`,
  /** Role grants made directly at one resource. */
  members: (level: Level, id: string) => `members-${level}:${id}`,
  organization: (id: string) => `organization-${id}`,
  project: (id: string) => `project-${id}`,
  site: (id: string) => `site-${id}`,
  /** One stream per secret name at one level of the hierarchy. */
  secret: (level: Level, id: string, name: string) => `secret-${level}:${id}:${name}`,
  /** The firewall allow-list of one level. */
  firewall: (level: Level, id: string) => `firewall-${level}:${id}`,
  /** Per-organization data keys for envelope encryption. */
  dataKey: (organizationId: string) => `datakey-${organizationId}`,
  effectiveConfig: (siteId: string) => `effective-${siteId}`,
  deployment: (id: string) => `deployment-${id}`,
  runtime: (siteId: string) => `runtime-${siteId}`,
  mirror: (domainId: string) => `mirror-${domainId}`,
  /** Singleton stream that makes first-start bootstrap happen exactly once. */
  platform: () => 'platform-bootstrap',
} as const;

export type StreamCategory =
  | 'user'
  | 'apikey'
  | 'members'
  | 'organization'
  | 'project'
  | 'site'
  | 'secret'
  | 'firewall'
  | 'datakey'
  | 'effective'
  | 'deployment'
  | 'runtime'
  | 'mirror'
  | 'platform';

/** The category of a stream id: everything before the first `-`. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}
