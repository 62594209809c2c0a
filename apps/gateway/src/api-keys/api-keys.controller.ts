import { Controller, Delete, Get, Inject, Post } from '@nestjs/common';
import { generateApiKey } from '@siteops/auth';
import {
  apiBodies,
  listQuerySchema,
  type ApiBody,
  type ApiKeyCreatedDto,
} from '@siteops/contracts';
import { z } from 'zod';
import { actsAsPlatformAdmin, requirePlatformAdmin } from '../access/access';
import { WriteCommands, written } from '../commands/write.commands';
import { Call, Endpoint, ValidBody, ValidParam, ValidQuery, type HttpCall } from '../http/endpoint';
import { etagOf } from '../http/if-match';
import { paginate } from '../http/pagination';
import { uuidParam } from '../http/params';
import { apiKeyCreatedDto, apiKeyDto, pageOf, writeOf } from '../openapi/dto.schemas';
import { forbidden, notFound } from '../problems/problem';
import { ReadModelCache } from '../read-models/read-model.cache';
import { apiKeyKey, type UserEntry } from '../read-models/read-model.state';
import { mayRevoke, settleApiKeyTerms } from './api-key.issuer';

const keyIdParam = z.string().regex(/^[a-z0-9]{8,64}$/, 'must be an API key id');
const listKeysQuery = listQuerySchema.extend({
  userId: uuidParam
    .optional()
    .describe("Platform admins: list this user's keys instead of their own"),
});
const createdKey = writeOf(apiKeyCreatedDto.extend({ version: z.number().int() }));

/** API keys (SPEC §3): the caller's own; platform admins also anyone's. */
@Controller('v1')
export class ApiKeysController {
  constructor(
    @Inject(ReadModelCache) private readonly cache: ReadModelCache,
    @Inject(WriteCommands) private readonly commands: WriteCommands,
  ) {}

  @Post('api-keys')
  @Endpoint({
    summary: 'Create an API key for yourself; the key is in this response only',
    status: 201,
    response: createdKey,
    errors: [403, 404],
  })
  create(@Call() call: HttpCall, @ValidBody(apiBodies.createApiKey) body: ApiBody<'createApiKey'>) {
    return this.issue(call, call.caller.user, body);
  }

  @Post('users/:userId/api-keys')
  @Endpoint({
    summary: 'Create an API key for a user (platform admin)',
    status: 201,
    response: createdKey,
    errors: [403, 404],
  })
  createFor(
    @Call() call: HttpCall,
    @ValidParam('userId', uuidParam) userId: string,
    @ValidBody(apiBodies.createApiKey) body: ApiBody<'createApiKey'>,
  ) {
    requirePlatformAdmin(call.caller);
    const user = this.cache.state.user(userId);
    if (!user) throw notFound(`No user with id ${userId}`);
    return this.issue(call, user, body);
  }

  @Get('api-keys')
  @Endpoint({
    summary: 'List your API keys, revoked and expired ones included (never their secrets)',
    response: pageOf(apiKeyDto),
    errors: [403],
  })
  list(@Call() call: HttpCall, @ValidQuery(listKeysQuery) query: z.output<typeof listKeysQuery>) {
    const userId = query.userId ?? call.caller.user.id;
    if (userId !== call.caller.user.id && !actsAsPlatformAdmin(call.caller))
      throw forbidden("Only platform admins may list other users' keys");
    return paginate(this.cache.state.apiKeysOf(userId), apiKeyKey, query, (k) => k.dto);
  }

  @Delete('api-keys/:keyId')
  @Endpoint({
    summary:
      'Revoke an API key (yours; platform admins: anyone’s). Takes effect on every gateway within 5 s',
    response: writeOf(apiKeyDto.extend({ version: z.number().int() })),
    errors: [403, 404],
  })
  async revoke(@Call() call: HttpCall, @ValidParam('keyId', keyIdParam) keyId: string) {
    const key = this.cache.state.apiKey(keyId);
    const asAdmin = actsAsPlatformAdmin(call.caller);
    // Someone else's key is not yours to know about.
    if (!key || (key.userId !== call.caller.user.id && !asAdmin))
      throw notFound(`No API key with id ${keyId}`);
    if (!mayRevoke(this.cache.state, call.caller, key, asAdmin)) {
      throw forbidden('A scoped API key can only revoke itself and keys inside its own scope');
    }
    const result = await this.commands.send(call, 'RevokeApiKey', { keyId });
    const now = new Date().toISOString();
    const revoked = this.cache.state.apiKey(keyId)?.dto;
    const dto = (revoked?.revokedAt ? revoked : undefined) ?? {
      ...key.dto,
      revokedAt: key.dto.revokedAt ?? now,
    };
    call.reply.header('etag', etagOf(result.version));
    return { ...dto, version: result.version, position: result.position };
  }

  private async issue(call: HttpCall, owner: UserEntry, body: ApiBody<'createApiKey'>) {
    const terms = settleApiKeyTerms(this.cache.state, call.caller, owner, body, Date.now());
    const { keyId, key, secretSha256 } = generateApiKey();
    // Only the hash travels to the identity service; the key itself exists in this response alone.
    const result = await this.commands.send(call, 'IssueApiKey', {
      keyId,
      userId: owner.id,
      name: body.name,
      secretSha256,
      expiresAt: terms.expiresAt,
      scope: terms.scope,
    });
    call.reply.header('cache-control', 'no-store');
    const created: ApiKeyCreatedDto = {
      id: keyId,
      name: body.name,
      key,
      expiresAt: terms.expiresAt,
      scope: terms.scope ? { path: terms.scope.path, maxRole: terms.scope.maxRole } : null,
    };
    return written(call, { ...created, version: result.version }, result.position);
  }
}
