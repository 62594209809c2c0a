import { Controller, Delete, Get, Inject, Patch, Post } from '@nestjs/common';
import { apiBodies, listQuerySchema, type ApiBody } from '@siteops/contracts';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { authorize } from '../access/access';
import { visibleOrganizations } from '../access/visibility';
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
import { deletedDto, organizationDto, pageOf, writeOf } from '../openapi/dto.schemas';
import { forbidden } from '../problems/problem';
import { ReadModelCache } from '../read-models/read-model.cache';
import { organizationKey } from '../read-models/read-model.state';

@Controller('v1/organizations')
export class OrganizationsController {
  constructor(
    @Inject(ReadModelCache) private readonly cache: ReadModelCache,
    @Inject(WriteCommands) private readonly commands: WriteCommands,
  ) {}

  @Post()
  @Endpoint({
    summary: 'Create an organization; the caller becomes its owner',
    status: 201,
    response: writeOf(organizationDto),
    errors: [403, 409],
  })
  async create(
    @Call() call: HttpCall,
    @ValidBody(apiBodies.createOrganization) body: ApiBody<'createOrganization'>,
  ) {
    if (call.caller.key.scope) throw forbidden('A scoped API key cannot create organizations');
    const organizationId = randomUUID();
    const result = await this.commands.send(call, 'CreateOrganization', {
      organizationId,
      name: body.name,
    });
    call.reply.header('location', `/v1/organizations/${organizationId}`);
    const now = new Date().toISOString();
    const dto = projected(this.cache.state.organization(organizationId)?.dto, result.version) ?? {
      id: organizationId,
      name: body.name,
      createdAt: now,
      updatedAt: now,
      version: result.version,
    };
    return written(call, dto, result.position);
  }

  @Get()
  @Endpoint({
    summary: 'List the organizations the caller can see, by name',
    response: pageOf(organizationDto),
  })
  list(
    @Call() call: HttpCall,
    @ValidQuery(listQuerySchema) query: z.output<typeof listQuerySchema>,
  ) {
    return paginate(
      visibleOrganizations(this.cache.state, call.caller.principal),
      organizationKey,
      query,
      (o) => o.dto,
    );
  }

  @Patch(':orgId')
  @Endpoint({
    summary: 'Rename an organization (developer)',
    response: writeOf(organizationDto),
    errors: [403, 404, 409, 412],
  })
  async update(
    @Call() call: HttpCall,
    @ValidParam('orgId', uuidParam) orgId: string,
    @ValidBody(apiBodies.patchOrganization) body: ApiBody<'patchOrganization'>,
    @IfMatch() expectedVersion: number | undefined,
  ) {
    const org = authorize(
      call.caller,
      'organization',
      orgId,
      this.cache.state.organization(orgId),
      'update',
    );
    const result = await this.commands.send(call, 'RenameOrganization', {
      organizationId: orgId,
      name: body.name,
      expectedVersion,
    });
    const dto = projected(this.cache.state.organization(orgId)?.dto, result.version) ?? {
      ...org.dto,
      name: body.name,
      version: result.version,
    };
    return written(call, dto, result.position);
  }

  @Delete(':orgId')
  @Endpoint({
    summary: 'Delete an organization (owner); with children only with ?cascade=true',
    response: deletedDto,
    errors: [403, 404, 409, 412],
  })
  async remove(
    @Call() call: HttpCall,
    @ValidParam('orgId', uuidParam) orgId: string,
    @ValidQuery(cascadeQuery) query: z.output<typeof cascadeQuery>,
    @IfMatch() expectedVersion: number | undefined,
  ) {
    authorize(call.caller, 'organization', orgId, this.cache.state.organization(orgId), 'delete');
    const result = await this.commands.send(call, 'DeleteOrganization', {
      organizationId: orgId,
      cascade: query.cascade,
      expectedVersion,
    });
    return {
      id: orgId,
      version: result.version,
      position: result.position,
      deleted: result.deleted,
    };
  }
}
