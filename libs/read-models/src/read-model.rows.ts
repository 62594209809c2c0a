/** Row shapes of the rm_* tables, as `query()` returns them (timestamps as Date, bigints as strings). */

export interface UserRow {
  id: string;
  email: string;
  email_key: string;
  name: string;
  platform_admin: boolean;
  created_at: Date;
  version: number;
}

export interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  secret_sha256: string;
  expires_at: Date | null;
  scope: { path: string; level: 'organization' | 'project' | 'site'; resourceId: string; maxRole: 'viewer' | 'developer' | 'owner' } | null;
  created_at: Date;
  revoked_at: Date | null;
}

export interface OrganizationRow {
  id: string;
  name: string;
  name_key: string;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface ProjectRow {
  id: string;
  organization_id: string;
  name: string;
  name_key: string;
  description: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface SiteRow {
  id: string;
  organization_id: string;
  project_id: string;
  name: string;
  environment: string;
  auto_deploy: boolean;
  compose_revision: number;
  compose_hash: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface SiteComposeRow {
  site_id: string;
  revision: number;
  hash: string;
  document: string;
  created_at: Date;
  created_by: string;
}

export interface GrantRow {
  resource_level: 'organization' | 'project' | 'site';
  resource_id: string;
  user_id: string;
  role: 'viewer' | 'developer' | 'owner';
  organization_id: string;
  project_id: string | null;
  site_id: string | null;
  granted_at: Date;
}

export interface ChangeRow {
  seq: string;
  kind: string;
  id: string;
}

/** Every derived table with the key that orders it canonically (rm_changes is a feed, not state). */
export const READ_MODEL_TABLES: Record<string, string> = {
  rm_users: 'id',
  rm_api_keys: 'id',
  rm_organizations: 'id',
  rm_projects: 'id',
  rm_sites: 'id',
  rm_site_compose: 'site_id, revision',
  rm_grants: 'resource_id, user_id',
};
