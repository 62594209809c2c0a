import { authorize } from '../access/access';
import type { NativeRoute } from '../http/native-routes';
import { uuidParam } from '../http/params';
import { organizationDto, projectDto } from '../openapi/dto.schemas';

/**
 * The hottest reads, served natively by Fastify (see `NativeRoute`): one
 * organization or one project by id, entirely from memory.
 */
export const HIERARCHY_NATIVE_ROUTES: readonly NativeRoute[] = [
  {
    method: 'GET',
    url: '/v1/organizations/:orgId',
    tag: 'Organizations',
    name: 'get',
    spec: {
      summary: 'Read an organization (viewer)',
      response: organizationDto,
      errors: [403, 404],
    },
    inputs: [{ in: 'path', name: 'orgId', schema: uuidParam }],
    handle: ({ caller, params, cache, reply }) => {
      const id = params['orgId'] ?? '';
      const org = authorize(caller, 'organization', id, cache.state.organization(id), 'read');
      void reply.header('etag', org.etag);
      return org.dto;
    },
  },
  {
    method: 'GET',
    url: '/v1/projects/:projectId',
    tag: 'Projects',
    name: 'get',
    spec: { summary: 'Read a project (viewer)', response: projectDto, errors: [403, 404] },
    inputs: [{ in: 'path', name: 'projectId', schema: uuidParam }],
    handle: ({ caller, params, cache, reply }) => {
      const id = params['projectId'] ?? '';
      const project = authorize(caller, 'project', id, cache.state.project(id), 'read');
      void reply.header('etag', project.etag);
      return project.dto;
    },
  },
];
