import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { isDomainError } from '@siteops/contracts';
import type { Logger } from '@siteops/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteIndex } from '../http/route-index';
import {
  HttpProblem,
  problem,
  problemForDomainError,
  problemForHttpStatus,
  type Problem,
} from './problem';

/**
 * Every error becomes an RFC 9457 problem (application/problem+json): domain
 * errors from handlers and services, the framework's own (malformed JSON,
 * unknown route, body too large…, which Nest hands here as HttpExceptions),
 * and anything unexpected, which is logged and answered as a generic 500.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly routes: RouteIndex,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const answer = this.toProblem(exception, request);
    if (reply.sent) {
      this.logger.warn(
        { requestId: request.id, err: exception },
        'error after the response was sent',
      );
      return;
    }
    void reply
      .status(answer.status)
      .headers(answer.headers)
      .type('application/problem+json')
      .send(answer.body);
  }

  private toProblem(exception: unknown, request: FastifyRequest): Problem {
    const id = request.id;
    if (exception instanceof HttpProblem)
      return problem(exception.code, exception.detail, id, exception.errors, exception.headers);
    if (isDomainError(exception)) {
      if (exception.code === 'internal')
        this.logger.error({ requestId: id, err: exception }, 'internal error');
      return problemForDomainError(exception, id);
    }
    const status =
      exception instanceof HttpException ? exception.getStatus() : statusCodeOf(exception);
    if (status !== undefined && status < 500) {
      return problemForHttpStatus(
        status,
        id,
        status === 404 ? this.routes.allowedMethods(request.url) : undefined,
      );
    }
    this.logger.error({ requestId: id, err: exception }, 'unexpected error');
    return problemForHttpStatus(500, id);
  }
}

/** Fastify errors carry their status in `statusCode`. */
function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}
