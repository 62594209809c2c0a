import { Controller, Get, Inject } from '@nestjs/common';
import type { ResolvedPathDto } from '@siteops/contracts';
import { z } from 'zod';
import { Call, Endpoint, ValidQuery, type HttpCall } from '../http/endpoint';
import { resolvedPathDto } from '../openapi/dto.schemas';
import { ReadModelCache } from '../read-models/read-model.cache';
import { resolvePath } from './path.resolver';

const resolveQuery = z.object({
  path: z.string().min(1).max(300).describe('ORG, ORG/PROJECT or ORG/PROJECT/SITE, by name'),
});

/** Names → ids, for the CLI's path arguments and API-key scopes. */
@Controller('v1/resolve')
export class ResolveController {
  constructor(@Inject(ReadModelCache) private readonly cache: ReadModelCache) {}

  @Get()
  @Endpoint({
    summary:
      'Resolve a path of names (organization and project case-insensitive, site exact) to ids; 404 when not visible',
    response: resolvedPathDto,
    errors: [404],
  })
  resolve(
    @Call() call: HttpCall,
    @ValidQuery(resolveQuery) query: z.output<typeof resolveQuery>,
  ): ResolvedPathDto {
    return resolvePath(this.cache.state, call.caller.principal, query.path);
  }
}
