import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Schema validation: bodies are checked strictly (no type coercion, unknown fields refused, never silently
 * dropped); query strings and path parameters coerce "10" to 10 because URLs only carry text.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  // `discriminator`: a tagged union (oneOf with a discriminator) is checked against the one branch its tag names,
  // so the error is about that branch's fields.
  const common = {
    allErrors: false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    discriminator: true,
  } as const;
  const body = new Ajv({ ...common, coerceTypes: false });
  const url = new Ajv({ ...common, coerceTypes: 'array' });
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : url).compile(schema as object);
}
