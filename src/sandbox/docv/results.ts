import { STOCK_PERSONA } from '../../socure/stock-persona.js';
import { hexId } from '../idplus/scoring.js';
import type { DocumentVerificationBlock } from '../idplus/types.js';
import { type DocvOutcome, OUTCOME_SPECS } from './outcomes.js';
import type { DocumentType, DocvPii } from './types.js';

const DOCUMENT_TYPE_NAMES: Record<DocumentType, string> = {
  license: 'Drivers License',
  passport: 'Passport',
};

/**
 * The `documentVerification` block of a finished transaction (socure-api.md §5.4). Deterministic: the
 * same token, PII, type and outcome always give the same block, for the webhook and for ID+ alike.
 * The document "shows" the PII that was sent, falling back to Socure's stock persona field by field.
 */
export function buildDocumentVerification(input: {
  token: string;
  pii: DocvPii;
  documentType: DocumentType;
  outcome: DocvOutcome;
}): DocumentVerificationBlock {
  const { pii, outcome } = input;
  const spec = OUTCOME_SPECS[outcome];
  const firstName = pii.firstName ?? STOCK_PERSONA.firstName;
  const surName = pii.surName ?? STOCK_PERSONA.surName;
  const usePiiAddress = pii.physicalAddress !== undefined;
  const physicalAddress = pii.physicalAddress ?? STOCK_PERSONA.physicalAddress;
  const city = (usePiiAddress ? pii.city : undefined) ?? STOCK_PERSONA.city;
  const state = ((usePiiAddress ? pii.state : undefined) ?? STOCK_PERSONA.state).toUpperCase();
  const zip = (usePiiAddress ? pii.zip : undefined) ?? STOCK_PERSONA.zip;
  const physicalAddress2 = usePiiAddress ? pii.physicalAddress2 : undefined;

  const reasonCodes = [...spec.reasonCodes];
  if (spec.decision === 'accept' || spec.decision === 'review') {
    // The document matches each piece of PII that was sent (I822 first name … I825 dob).
    if (pii.firstName) reasonCodes.push('I822');
    if (pii.surName) reasonCodes.push('I823');
    if (pii.physicalAddress) reasonCodes.push('I824');
    if (pii.dob) reasonCodes.push('I825');
  }
  const digits = Number.parseInt(hexId(8, 'docv-number', input.token), 16) % 100_000_000;
  const parsedAddress = {
    physicalAddress,
    ...(physicalAddress2 ? { physicalAddress2 } : {}),
    city,
    state,
    country: 'US',
    zip,
  };
  return {
    reasonCodes,
    documentType: {
      type: DOCUMENT_TYPE_NAMES[input.documentType],
      country: 'USA',
      ...(input.documentType === 'license' ? { state } : {}),
    },
    decision: { name: 'standard', value: spec.decision },
    documentData: {
      firstName,
      surName,
      fullName: `${firstName} ${surName}`,
      address: `${physicalAddress}${physicalAddress2 ? ` ${physicalAddress2}` : ''}, ${city}, ${state} ${zip}`,
      parsedAddress,
      documentNumber: spec.documentNumber ?? `D${String(digits).padStart(8, '0')}`,
      dob: spec.dob ?? pii.dob ?? STOCK_PERSONA.dob,
      issueDate: '2021-04-02',
      expirationDate: spec.expirationDate ?? '2029-04-02',
    },
  };
}
