import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** Every 4xx/5xx body: a stable code, one sentence, and the offending fields when the input was at fault. */
export const ErrorSchema = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  reasons: z.array(z.string()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorSchema>;

/** A refusal the client can act on; thrown from handlers and turned into its status by the error handler. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Pick<ErrorBody, 'fields' | 'reasons'> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Error statuses the OpenAPI document lists for every route (all are produced by hooks or the handlers). */
export const ERROR_STATUSES = [400, 401, 403, 404, 409, 410, 413, 422, 429, 503] as const;

function fieldPath(where: string | undefined, path: string): string {
  const p = path.replace(/^\//, '').replaceAll('/', '.');
  return [where, p].filter((s) => s !== undefined && s !== '').join('.');
}

/**
 * One place that decides what a client sees: validation errors name the field; fastify's own 4xx (oversized or
 * malformed body) keep their status; anything unexpected is a bare 500 whose details stay in the server log.
 */
export function handleError(err: FastifyError | ApiError, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof ApiError) {
    reply.status(err.statusCode).send({ error: err.code, message: err.message, ...err.extra });
    return;
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const fields = err.validation.map((v) => ({ field: fieldPath(err.validationContext, v.instancePath), message: v.message ?? 'invalid' }));
    reply.status(400).send({ error: 'invalid-input', message: fields.map((f) => `${f.field || '(request)'}: ${f.message}`).join('; '), fields });
    return;
  }
  const status = err.statusCode ?? 500;
  if (status === 413) {
    reply.status(413).send({ error: 'body-too-large', message: 'the request body is larger than this server accepts' });
    return;
  }
  if (status >= 400 && status < 500) {
    reply.status(status).send({ error: err.code?.toLowerCase().replace(/^fst_err_/, '') ?? 'bad-request', message: err.message });
    return;
  }
  req.log.error({ err }, 'request failed');
  reply.status(500).send({ error: 'internal', message: 'internal error (details are in the server log)' });
}
