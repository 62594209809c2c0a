import { Controller, Get, Inject, Post } from '@nestjs/common';
import { apiBodies, listQuerySchema, type ApiBody, type UserDto } from '@siteops/contracts';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { requirePlatformAdmin } from '../access/access';
import { WriteCommands } from '../commands/write.commands';
import { Call, Endpoint, ValidBody, ValidQuery, type HttpCall } from '../http/endpoint';
import { etagOf } from '../http/if-match';
import { paginate } from '../http/pagination';
import { pageOf, userDto, writeOf } from '../openapi/dto.schemas';
import { ReadModelCache } from '../read-models/read-model.cache';
import { userKey } from '../read-models/read-model.state';

/** Users (SPEC §3): platform admins only. */
@Controller('v1/users')
export class UsersController {
  constructor(
    @Inject(ReadModelCache) private readonly cache: ReadModelCache,
    @Inject(WriteCommands) private readonly commands: WriteCommands,
  ) {}

  @Post()
  @Endpoint({
    summary:
      'Register a user (platform admin); give them access with members and a key with POST /v1/users/{userId}/api-keys',
    status: 201,
    response: writeOf(userDto.extend({ version: z.number().int() })),
    errors: [403, 409],
  })
  async create(
    @Call() call: HttpCall,
    @ValidBody(apiBodies.createUser) body: ApiBody<'createUser'>,
  ) {
    requirePlatformAdmin(call.caller);
    const userId = randomUUID();
    const result = await this.commands.send(call, 'RegisterUser', {
      userId,
      email: body.email,
      name: body.name,
      platformAdmin: false,
    });
    const dto: UserDto = this.cache.state.user(userId)?.dto ?? {
      id: userId,
      email: body.email,
      name: body.name,
      platformAdmin: false,
      createdAt: new Date().toISOString(),
    };
    call.reply.header('etag', etagOf(result.version));
    return { ...dto, version: result.version, position: result.position };
  }

  @Get()
  @Endpoint({
    summary: 'List users by email (platform admin)',
    response: pageOf(userDto),
    errors: [403],
  })
  list(
    @Call() call: HttpCall,
    @ValidQuery(listQuerySchema) query: z.output<typeof listQuerySchema>,
  ) {
    requirePlatformAdmin(call.caller);
    return paginate(this.cache.state.sortedUsers(), userKey, query, (u) => u.dto);
  }
}
