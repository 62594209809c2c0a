import { Controller, Delete, Get, Inject, Put } from '@nestjs/common';
import { apiBodies, listQuerySchema, type ApiBody, type MemberDto } from '@siteops/contracts';
import { z } from 'zod';
import { authorize } from '../access/access';
import { WriteCommands } from '../commands/write.commands';
import { Call, Endpoint, ValidBody, ValidParam, ValidQuery, type HttpCall } from '../http/endpoint';
import { paginate } from '../http/pagination';
import { ScopeParam, scopedPaths, type ScopeRef } from '../http/params';
import { memberDto, memberRevokedDto, pageOf, writeOf } from '../openapi/dto.schemas';
import { ReadModelCache } from '../read-models/read-model.cache';
import { memberKey, membersOf } from './members.listing';
import { memberUser } from './member-user';

const userSegment = z.string().min(1).max(320);

/** `GET|PUT|DELETE /v1/{scope}/members[/{userId}]`; grants are made and revoked by the identity service. */
@Controller()
export class MembersController {
  constructor(
    @Inject(ReadModelCache) private readonly cache: ReadModelCache,
    @Inject(WriteCommands) private readonly commands: WriteCommands,
  ) {}

  @Get(scopedPaths('members'))
  @Endpoint({
    summary:
      'List members: grants on the resource and on its ancestors (inherited), each with its source (viewer)',
    response: pageOf(memberDto),
    errors: [403, 404],
  })
  list(
    @Call() call: HttpCall,
    @ScopeParam() scope: ScopeRef,
    @ValidQuery(listQuerySchema) query: z.output<typeof listQuerySchema>,
  ) {
    const node = authorize(
      call.caller,
      scope.level,
      scope.id,
      this.cache.state.node(scope.level, scope.id),
      'listMembers',
    );
    return paginate(membersOf(this.cache.state, node), memberKey, query, (m) => m);
  }

  @Put(scopedPaths('members/:userId'))
  @Endpoint({
    summary:
      'Grant a user a role here, replacing their direct grant (owner); {userId} may be an email address',
    response: writeOf(memberDto.extend({ version: z.number().int() })),
    errors: [403, 404, 409],
  })
  async grant(
    @Call() call: HttpCall,
    @ScopeParam() scope: ScopeRef,
    @ValidParam('userId', userSegment, 'A user id or a (URL-encoded) email address')
    segment: string,
    @ValidBody(apiBodies.putMember) body: ApiBody<'putMember'>,
  ) {
    const node = authorize(
      call.caller,
      scope.level,
      scope.id,
      this.cache.state.node(scope.level, scope.id),
      'manageMembers',
    );
    const user = memberUser(this.cache.state, segment);
    const resource = { level: node.level, id: node.id };
    const result = await this.commands.send(call, 'GrantRole', {
      resource,
      userId: user.id,
      role: body.role,
    });
    const member: MemberDto = {
      userId: user.id,
      email: user.email,
      role: body.role,
      source: resource,
      inherited: false,
    };
    return { ...member, version: result.version, position: result.position };
  }

  @Delete(scopedPaths('members/:userId'))
  @Endpoint({
    summary:
      "Revoke a user's direct grant here (owner); inherited grants stay. {userId} may be an email address",
    response: memberRevokedDto,
    errors: [403, 404, 409],
  })
  async revoke(
    @Call() call: HttpCall,
    @ScopeParam() scope: ScopeRef,
    @ValidParam('userId', userSegment, 'A user id or a (URL-encoded) email address')
    segment: string,
  ) {
    const node = authorize(
      call.caller,
      scope.level,
      scope.id,
      this.cache.state.node(scope.level, scope.id),
      'manageMembers',
    );
    const user = memberUser(this.cache.state, segment);
    const resource = { level: node.level, id: node.id };
    const result = await this.commands.send(call, 'RevokeRole', { resource, userId: user.id });
    return { userId: user.id, resource, version: result.version, position: result.position };
  }
}
