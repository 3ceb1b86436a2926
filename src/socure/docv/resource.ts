import type { SocureClient } from '../client.js';
import { SocureResponseValidationError } from '../errors.js';
import { inputErrorFrom } from '../idplus/request.js';
import type { DocumentVerification, IdPlusResponse } from '../idplus/response.js';
import { createQrPng } from './qr.js';
import {
  type DocvRequest,
  type DocvTransaction,
  docvRequestSchema,
  docvResponseSchema,
  type LegacyDocvRequest,
  legacyDocvRequestSchema,
} from './schemas.js';

export interface DocvResult extends IdPlusResponse {
  documentVerification: DocumentVerification | undefined;
}

/** Predictive DocV: start a capture transaction (v5, or legacy v3) and fetch its result through ID+. */
export class DocvResource {
  constructor(private readonly client: SocureClient) {}

  /** v5 `POST /api/5.0/documents/request`. */
  async createTransaction(request: DocvRequest = {}): Promise<DocvTransaction> {
    const parsed = docvRequestSchema.safeParse(request);
    if (!parsed.success) throw inputErrorFrom(parsed.error);
    return this.post('/api/5.0/documents/request', parsed.data);
  }

  /** Legacy v3 `POST /api/3.0/documents/request` with `verificationLevel` 1 | 2 | 3; the QR code is drawn locally. */
  async createLegacyTransaction(request: LegacyDocvRequest): Promise<DocvTransaction> {
    const parsed = legacyDocvRequestSchema.safeParse(request);
    if (!parsed.success) throw inputErrorFrom(parsed.error);
    return this.post('/api/3.0/documents/request', parsed.data);
  }

  /**
   * The authoritative result: ID+ with the `documentverification` module. Pass the v5
   * docvTransactionToken, or `{ documentUuid }` for a legacy transaction.
   */
  async result(
    token: string | { documentUuid: string },
    extra: { customerUserId?: string; modules?: string[] } = {},
  ): Promise<DocvResult> {
    const link =
      typeof token === 'string' ? { docvTransactionToken: token } : { documentUuid: token.documentUuid };
    const modules = [
      'documentverification',
      ...(extra.modules ?? []).filter((m) => m !== 'documentverification'),
    ];
    const response = await this.client.idplus.evaluate({
      modules,
      customerUserId: extra.customerUserId,
      ...link,
    });
    return { ...response, documentVerification: response.documentVerification };
  }

  private async post(path: string, body: object): Promise<DocvTransaction> {
    const { json, response } = await this.client.send({ method: 'POST', path, body: JSON.stringify(body) });
    const parsed = docvResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new SocureResponseValidationError('Socure’s document request answer breaks the contract', {
        body: json ?? response.text,
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
    }
    const { referenceId, data } = parsed.data;
    // Drawn only when Socure sent none: a PNG is milliseconds of CPU per transaction.
    const qrCode = data.qrCode?.startsWith('data:image/') ? data.qrCode : createQrPng(data.url);
    return {
      referenceId,
      eventId: data.eventId,
      customerUserId: data.customerUserId,
      docvTransactionToken: data.docvTransactionToken,
      url: data.url,
      qrCode,
    };
  }
}
