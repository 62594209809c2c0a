import { Controller, Get } from '@nestjs/common';
import type { WhoAmIDto } from '@siteops/contracts';
import { actsAsPlatformAdmin } from '../access/access';
import { Call, Endpoint, type HttpCall } from '../http/endpoint';
import { whoAmIDto } from '../openapi/dto.schemas';

@Controller('v1/whoami')
export class WhoAmIController {
  @Get()
  @Endpoint({ summary: 'The user and API key making the request', response: whoAmIDto })
  whoami(@Call() call: HttpCall): WhoAmIDto {
    const { user, key } = call.caller;
    return {
      user: { id: user.id, email: user.email, name: user.name },
      apiKey: { id: key.id, name: key.name, expiresAt: key.dto.expiresAt, scope: key.dto.scope },
      platformAdmin: actsAsPlatformAdmin(call.caller),
    };
  }
}
