import { randomUUID } from 'node:crypto';
import { createQrPng } from '../../socure/docv/qr.js';
import type { SandboxEnvironment } from '../keys.js';
import { maskPhone } from '../sms.js';
import type { SandboxState } from '../state.js';
import { type DocvTransaction, NO_KNOBS } from './types.js';
import type { DocvRequestInput } from './validate.js';

/** The 200 body of a document request (socure-api.md §5.1); v3 answers carry no qrCode. */
export interface DocvRequestAnswer {
  referenceId: string;
  data: {
    eventId: string;
    customerUserId?: string | number;
    docvTransactionToken: string;
    qrCode?: string;
    url: string;
  };
}

/** Creates the transaction, fires WAITING_FOR_USER_TO_REDIRECT, "texts" the link when asked. */
export async function createDocvTransaction(
  state: SandboxState,
  input: DocvRequestInput,
  environment: SandboxEnvironment,
  origin: string,
): Promise<DocvRequestAnswer> {
  const token = randomUUID();
  const now = state.clock.now();
  const url = `${state.publicUrl(origin)}/capture/${token}`;
  const tx: DocvTransaction = {
    token,
    referenceId: randomUUID(),
    eventId: randomUUID(),
    environment,
    apiVersion: input.apiVersion,
    ...(input.verificationLevel ? { verificationLevel: input.verificationLevel } : {}),
    ...(input.customerUserId === undefined ? {} : { customerUserId: input.customerUserId }),
    ...(input.previousReferenceId ? { previousReferenceId: input.previousReferenceId } : {}),
    ...(input.mobileNumber ? { mobileNumber: input.mobileNumber } : {}),
    pii: input.pii,
    ...(input.useCaseKey ? { useCaseKey: input.useCaseKey } : {}),
    language: input.language,
    ...(input.documentType ? { documentType: input.documentType } : {}),
    documentTypeFixed: input.documentType !== undefined,
    ...(input.redirect ? { redirect: input.redirect } : {}),
    sendMessage: input.sendMessage,
    url,
    createdAt: now,
    expiresAt: now + state.transactionTtlMs,
    uploads: {},
    status: 'pending',
    knobs: { ...NO_KNOBS },
    events: [],
  };
  state.transactions.add(tx);
  state.lifecycle.start(tx);
  if (input.sendMessage && input.mobileNumber) {
    state.outbox.record({
      to: input.mobileNumber,
      body: `Verify your identity: ${url}`,
      at: new Date(now).toISOString(),
      token,
    });
    state.log?.(`SMS to ${maskPhone(input.mobileNumber)}: ${url}`);
  }
  const data: DocvRequestAnswer['data'] = {
    eventId: tx.eventId,
    ...(tx.customerUserId === undefined ? {} : { customerUserId: tx.customerUserId }),
    docvTransactionToken: token,
    url,
  };
  if (input.apiVersion === 'v5') {
    // Drawn as the client draws one (qrcode's own PNG renderer was half the CPU of a session start).
    data.qrCode = createQrPng(url);
  }
  return { referenceId: tx.referenceId, data };
}
