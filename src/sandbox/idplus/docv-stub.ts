import { hexId } from './scoring.js';
import type { DocumentVerificationBlock, IdPlusInput, PendingDocumentVerification } from './types.js';

/** Resolves the `documentVerification` block for a DocV token (v5) or document uuid (legacy). */
export type DocumentVerificationSource = (
  reference: string,
  input: IdPlusInput,
) => DocumentVerificationBlock | PendingDocumentVerification;

/**
 * The pure engine's default when no transactions exist (unit use of `evaluateIdPlus`): a deterministic
 * "accept" derived from the token, echoing the identity sent so the name/DOB match codes hold. The
 * running sandbox replaces it with its real DocV transactions (docv/source.ts).
 */
export const stubDocumentVerification: DocumentVerificationSource = (reference, input) => {
  const h = hexId(16, 'docv', reference);
  const state = input.state?.toUpperCase() ?? 'NY';
  const firstName = input.firstName ?? 'Jane';
  const surName = input.surName ?? 'Doe';
  const physicalAddress = input.physicalAddress ?? '123 Main Street';
  const city = input.city ?? 'Albany';
  const zip = input.zip ?? '12207';
  const month = String((Number.parseInt(h.slice(0, 2), 16) % 12) + 1).padStart(2, '0');
  const day = String((Number.parseInt(h.slice(2, 4), 16) % 28) + 1).padStart(2, '0');
  const reasonCodes = ['I820', 'I831', 'I834', 'I836', 'I845'];
  if (input.firstName) reasonCodes.push('I822');
  if (input.surName) reasonCodes.push('I823');
  if (input.dob) reasonCodes.push('I825');
  return {
    reasonCodes,
    documentType: { type: 'Drivers License', country: 'USA', state },
    decision: { name: 'standard', value: 'accept' },
    documentData: {
      firstName,
      surName,
      fullName: `${firstName} ${surName}`,
      address: `${physicalAddress}, ${city}, ${state} ${zip}`,
      parsedAddress: { physicalAddress, city, state, country: 'US', zip },
      documentNumber: `D${Number.parseInt(h.slice(4, 12), 16).toString().padStart(8, '0').slice(0, 8)}`,
      dob: input.dob ?? '1990-01-01',
      issueDate: `2021-${month}-${day}`,
      expirationDate: `2029-${month}-${day}`,
    },
  };
};
