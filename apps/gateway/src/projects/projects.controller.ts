import { Controller, Delete, Get, Inject, Patch, Post } from '@nestjs/common';
import { apiBodies, listQuerySchema, type ApiBody } from '@siteops/contracts';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { authorize, requireVisible } from '../access/access';
import { visibleChildren } from '../access/visibility';
import { projected, WriteCommands, written } from '../commands/write.commands';
import {
  Call,
  Endpoint,
  IfMatch,
  ValidBody,
  ValidParam,
  ValidQuery,
  type HttpCall,
} from '../http/endpoint';
import { paginate } from '../http/pagination';
import { cascadeQuery, uuidParam } from '../http/params';
import { deletedDto, pageOf, projectDto, writeOf } from '../openapi/dto.schemas';
import { ReadModelCache } from '../read-models/read-model.cache';
import { projectKey } from '../read-models/read-model.state';

@Controller('v1')
export class ProjectsController {
  constructor(
    @Inject(ReadModelCache) private readonly cache: ReadModelCache,
    @Inject(WriteCommands) private readonly commands: WriteCommands,
  ) {}

  @Post('organizations/:orgId/projects')
  @Endpoint({
    summary: 'Create a project in an organization (developer)',
    status: 201,
    response: writeOf(projectDto),
    errors: [403, 404, 409],
  })
  async create(
    @Call() call: HttpCall,
    @ValidParam('orgId', uuidParam) orgId: string,
    @ValidBody(apiBodies.createProject) body: ApiBody<'createProject'>,
  ) {
    authorize(
      call.caller,
      'organization',
      orgId,
      this.cache.state.organization(orgId),
      'createChild',
    );
    const projectId = randomUUID();
    const description = body.description ?? '';
    const result = await this.commands.send(call, 'CreateProject', {
      projectId,
      organizationId: orgId,
      name: body.name,
      description,
    });
    call.reply.header('location', `/v1/projects/${projectId}`);
    const now = new Date().toISOString();
    const dto = projected(this.cache.state.project(projectId)?.dto, result.version) ?? {
      id: projectId,
      organizationId: orgId,
      name: body.name,
      description,
      createdAt: now,
      updatedAt: now,
      version: result.version,
    };
    return written(call, dto, result.position);
  }

  @Get('organizations/:orgId/projects')
  @Endpoint({
    summary: 'List the projects of an organization the caller can see, by name',
    response: pageOf(projectDto),
    errors: [404],
  })
  list(
    @Call() call: HttpCall,
    @ValidParam('orgId', uuidParam) orgId: string,
    @ValidQuery(listQuerySchema) query: z.output<typeof listQuerySchema>,
  ) {
    // Seeing the organization (by name at least) is enough: the list then holds what the caller may see of it.
    requireVisible(call.caller, 'organization', orgId, this.cache.state.organization(orgId));
    const projects = visibleChildren(
      this.cache.state.sortedProjectsOf(orgId),
      call.caller.principal,
    );
    return paginate(projects, projectKey, query, (p) => p.dto);
  }

  @Patch('projects/:projectId')
  @Endpoint({
    summary: 'Rename a project or change its description (developer)',
    response: writeOf(projectDto),
    errors: [403, 404, 409, 412],
  })
  async update(
    @Call() call: HttpCall,
    @ValidParam('projectId', uuidParam) projectId: string,
    @ValidBody(apiBodies.patchProject) body: ApiBody<'patchProject'>,
    @IfMatch() expectedVersion: number | undefined,
  ) {
    const project = authorize(
      call.caller,
      'project',
      projectId,
      this.cache.state.project(projectId),
      'update',
    );
    const result = await this.commands.send(call, 'UpdateProject', {
      projectId,
      ...body,
      expectedVersion,
    });
    const dto = projected(this.cache.state.project(projectId)?.dto, result.version) ?? {
      ...project.dto,
      ...body,
      version: result.version,
    };
    return written(call, dto, result.position);
  }

  @Delete('projects/:projectId')
  @Endpoint({
    summary: 'Delete a project (owner); with sites only with ?cascade=true',
    response: deletedDto,
    errors: [403, 404, 409, 412],
  })
  async remove(
    @Call() call: HttpCall,
    @ValidParam('projectId', uuidParam) projectId: string,
    @ValidQuery(cascadeQuery) query: z.output<typeof cascadeQuery>,
    @IfMatch() expectedVersion: number | undefined,
  ) {
    authorize(call.caller, 'project', projectId, this.cache.state.project(projectId), 'delete');
    const result = await this.commands.send(call, 'DeleteProject', {
      projectId,
      cascade: query.cascade,
      expectedVersion,
    });
    return {
      id: projectId,
      version: result.version,
      position: result.position,
      deleted: result.deleted,
    };
  }
}
