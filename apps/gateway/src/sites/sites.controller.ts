import { Controller, Delete, Get, Inject, Patch, Post, Put } from '@nestjs/common';
import { apiBodies, listQuerySchema, type ApiBody, type SiteDto } from '@siteops/contracts';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
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
import { uuidParam } from '../http/params';
import { deletedDto, pageOf, siteDto, writeOf } from '../openapi/dto.schemas';
import { ReadModelCache } from '../read-models/read-model.cache';
import { siteKey } from '../read-models/read-model.state';

const deleteSiteQuery = z.object({
  purgeVolumes: z
    .stringbool({ error: 'must be true or false' })
    .default(false)
    .describe("Also remove the site's named volumes"),
});

@Controller('v1')
export class SitesController {
  constructor(
    @Inject(ReadModelCache) private readonly cache: ReadModelCache,
    @Inject(WriteCommands) private readonly commands: WriteCommands,
  ) {}

  @Post('projects/:projectId/sites')
  @Endpoint({
    summary: 'Create a site in a project from a compose document (developer)',
    status: 201,
    response: writeOf(siteDto),
    errors: [403, 404, 409],
  })
  async create(
    @Call() call: HttpCall,
    @ValidParam('projectId', uuidParam) projectId: string,
    @ValidBody(apiBodies.createSite) body: ApiBody<'createSite'>,
  ) {
    const project = authorize(
      call.caller,
      'project',
      projectId,
      this.cache.state.project(projectId),
      'createChild',
    );
    const siteId = randomUUID();
    const result = await this.commands.send(call, 'CreateSite', {
      siteId,
      projectId,
      ...body,
    });
    call.reply.header('location', `/v1/sites/${siteId}`);
    const now = new Date().toISOString();
    const dto: SiteDto = projected(this.cache.state.site(siteId)?.dto, result.version) ?? {
      id: siteId,
      organizationId: project.organizationId,
      projectId,
      name: body.name,
      environment: body.environment ?? body.name,
      autoDeploy: body.autoDeploy ?? false,
      compose: { revision: 1, hash: '' },
      createdAt: now,
      updatedAt: now,
      version: result.version,
    };
    return written(call, dto, result.position);
  }

  @Get('projects/:projectId/sites')
  @Endpoint({
    summary: 'List the sites of a project the caller can see, by name',
    response: pageOf(siteDto),
    errors: [404],
  })
  list(
    @Call() call: HttpCall,
    @ValidParam('projectId', uuidParam) projectId: string,
    @ValidQuery(listQuerySchema) query: z.output<typeof listQuerySchema>,
  ) {
    requireVisible(call.caller, 'project', projectId, this.cache.state.project(projectId));
    const sites = visibleChildren(this.cache.state.sortedSitesOf(projectId), call.caller.principal);
    return paginate(sites, siteKey, query, (s) => s.dto);
  }

  @Get('sites/:siteId')
  @Endpoint({
    summary: 'Read a site with its current compose document (viewer)',
    response: siteDto,
    errors: [403, 404],
  })
  async get(@Call() call: HttpCall, @ValidParam('siteId', uuidParam) siteId: string) {
    const site = authorize(call.caller, 'site', siteId, this.cache.state.site(siteId), 'read');
    const document = await this.cache.composeDocument(siteId, site.dto.compose.revision);
    call.reply.header('etag', site.etag);
    return document === undefined
      ? site.dto
      : { ...site.dto, compose: { ...site.dto.compose, document } };
  }

  @Patch('sites/:siteId')
  @Endpoint({
    summary: 'Rename a site or change its environment or autoDeploy (developer)',
    response: writeOf(siteDto),
    errors: [403, 404, 409, 412],
  })
  async update(
    @Call() call: HttpCall,
    @ValidParam('siteId', uuidParam) siteId: string,
    @ValidBody(apiBodies.patchSite) body: ApiBody<'patchSite'>,
    @IfMatch() expectedVersion: number | undefined,
  ) {
    const site = authorize(call.caller, 'site', siteId, this.cache.state.site(siteId), 'update');
    const result = await this.commands.send(call, 'UpdateSite', {
      siteId,
      ...body,
      expectedVersion,
    });
    const dto = projected(this.cache.state.site(siteId)?.dto, result.version) ?? {
      ...site.dto,
      ...body,
      version: result.version,
    };
    return written(call, dto, result.position);
  }

  @Put('sites/:siteId/compose')
  @Endpoint({
    summary: 'Replace the compose document: a new compose revision (developer)',
    response: writeOf(siteDto),
    errors: [403, 404, 409, 412],
  })
  async putCompose(
    @Call() call: HttpCall,
    @ValidParam('siteId', uuidParam) siteId: string,
    @ValidBody(apiBodies.putCompose) body: ApiBody<'putCompose'>,
    @IfMatch() expectedVersion: number | undefined,
  ) {
    const site = authorize(call.caller, 'site', siteId, this.cache.state.site(siteId), 'update');
    const result = await this.commands.send(call, 'ReviseSiteCompose', {
      siteId,
      compose: body.compose,
      expectedVersion,
    });
    const current = projected(this.cache.state.site(siteId)?.dto, result.version) ?? {
      ...site.dto,
      compose: { revision: result.revision, hash: '' },
      version: result.version,
    };
    return written(
      call,
      { ...current, compose: { ...current.compose, document: body.compose } },
      result.position,
    );
  }

  @Delete('sites/:siteId')
  @Endpoint({
    summary:
      'Delete a site (owner): its containers go; named volumes stay unless ?purgeVolumes=true',
    response: deletedDto,
    errors: [403, 404, 412],
  })
  async remove(
    @Call() call: HttpCall,
    @ValidParam('siteId', uuidParam) siteId: string,
    @ValidQuery(deleteSiteQuery) query: z.output<typeof deleteSiteQuery>,
    @IfMatch() expectedVersion: number | undefined,
  ) {
    authorize(call.caller, 'site', siteId, this.cache.state.site(siteId), 'delete');
    const result = await this.commands.send(call, 'DeleteSite', {
      siteId,
      purgeVolumes: query.purgeVolumes,
      expectedVersion,
    });
    return {
      id: siteId,
      version: result.version,
      position: result.position,
      deleted: [{ level: 'site' as const, id: siteId }],
    };
  }
}
