import type {
  MemberDto,
  OrganizationDto,
  ProjectDto,
  SiteDto,
  WhoAmIDto,
} from '@siteops/contracts';
import type { ResolvedPathDto } from '../core/hierarchy-path';
import type { FakeResponse } from './fake-api';

const CREATED = '2030-01-10T12:00:00Z';

export function org(id: string, name: string): OrganizationDto {
  return { id, name, createdAt: CREATED, updatedAt: CREATED, version: 1 };
}

export function project(
  id: string,
  organizationId: string,
  name: string,
  description = '',
): ProjectDto {
  return {
    id,
    organizationId,
    name,
    description,
    createdAt: CREATED,
    updatedAt: CREATED,
    version: 1,
  };
}

export function site(
  id: string,
  organizationId: string,
  projectId: string,
  name: string,
  extra: Partial<SiteDto> = {},
): SiteDto {
  return {
    id,
    organizationId,
    projectId,
    name,
    environment: name,
    autoDeploy: false,
    compose: { revision: 1, hash: 'sha256:abc' },
    createdAt: CREATED,
    updatedAt: CREATED,
    version: 1,
    ...extra,
  };
}

export function member(
  email: string,
  role: MemberDto['role'],
  source: MemberDto['source'],
  inherited: boolean,
): MemberDto {
  return { userId: `u-${email.split('@')[0] ?? email}`, email, role, source, inherited };
}

/** The `GET /v1/resolve` answer for a path of one to three `[id, name]` refs. */
export function resolved(...refs: [string, string][]): FakeResponse {
  const [o, p, s] = refs.map(([id, name]) => ({ id, name }));
  if (!o) throw new Error('resolved() needs at least the organization');
  const body: ResolvedPathDto = {
    level: s ? 'site' : p ? 'project' : 'organization',
    organization: o,
    ...(p ? { project: p } : {}),
    ...(s ? { site: s } : {}),
  };
  return { body };
}

export const WHOAMI: WhoAmIDto = {
  user: { id: 'u-ada', email: 'ada@example.com', name: 'Ada Lovelace' },
  apiKey: { id: 'k1testkey', name: 'laptop', expiresAt: null, scope: null },
  platformAdmin: false,
};
