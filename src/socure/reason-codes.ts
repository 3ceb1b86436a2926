import { z } from 'zod';
import type { SocureClient } from './client.js';
import { SocureResponseValidationError } from './errors.js';

export { describeReasonCode, REASON_CODE_GROUPS, reasonCodeKind } from './reason-codes-table.js';

const catalogSchema = z.looseObject({
  referenceId: z.string().optional(),
  reasonCodes: z.record(z.string(), z.record(z.string(), z.string())),
});
export type ReasonCodeCatalog = z.infer<typeof catalogSchema>;

/** `GET /api/3.0/reasoncodes?group=true`: the live catalogue, grouped by product. */
export class ReasonCodesResource {
  constructor(private readonly client: SocureClient) {}

  async list(): Promise<ReasonCodeCatalog> {
    const { json } = await this.client.send({ method: 'GET', path: '/api/3.0/reasoncodes?group=true' });
    const parsed = catalogSchema.safeParse(json);
    if (!parsed.success) {
      throw new SocureResponseValidationError('Socure’s reason-code catalogue has an unexpected shape', {
        body: json,
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
    }
    return parsed.data;
  }
}
