import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * A zod schema as JSON Schema 2020-12, which OpenAPI 3.1 takes as is (and
 * Fastify's serializer too). @nestjs/swagger types only the OpenAPI 3.0
 * subset, hence the one cast here.
 */
export function jsonSchema(schema: z.core.$ZodType, io: 'input' | 'output'): SchemaObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest as SchemaObject;
}
