import type { Type } from '@nestjs/common';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { MembersController } from './members/members.controller';
import type { NativeRoute } from './http/native-routes';
import { OrganizationsController } from './organizations/organizations.controller';
import { HIERARCHY_NATIVE_ROUTES } from './organizations/organizations.native-routes';
import { ProjectsController } from './projects/projects.controller';
import { ResolveController } from './resolve/resolve.controller';
import { SitesController } from './sites/sites.controller';
import { UsersController } from './users/users.controller';
import { WhoAmIController } from './whoami/whoami.controller';

/**
 * The REST API, one controller per feature. The Nest module serves these and
 * the OpenAPI document is generated from them: a feature added here is served
 * and documented at once (secrets, firewall, deployments… slot in the same way).
 */
export const API_CONTROLLERS: readonly Type[] = [
  WhoAmIController,
  UsersController,
  ApiKeysController,
  ResolveController,
  OrganizationsController,
  ProjectsController,
  SitesController,
  MembersController,
];

/** The hottest reads, served by Fastify directly (see `NativeRoute`); documented with the rest. */
export const NATIVE_ROUTES: readonly NativeRoute[] = [...HIERARCHY_NATIVE_ROUTES];
