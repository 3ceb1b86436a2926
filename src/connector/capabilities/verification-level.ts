import { z } from 'zod';
import { VERIFICATION_LEVELS } from '../../socure/index.js';
import type { CapabilityProperty } from '../capability.js';

/** The seed's "Verification Level" dropdown (legacy v3 DocV), shared by two capabilities. */
export const verificationLevelProperty: CapabilityProperty = {
  name: 'verificationLevel',
  label: 'Verification Level',
  controlType: 'dropDown',
  required: true,
  default: '1',
  help: 'Set the verification process workflow for the transaction (legacy v3 API; v5 always verifies).',
  options: Object.entries(VERIFICATION_LEVELS).map(([value, label]) => ({
    value,
    label: value === '1' ? `${label} (Default)` : label,
  })),
};

export const apiVersionProperty: CapabilityProperty = {
  name: 'apiVersion',
  label: 'DocV API Version',
  controlType: 'dropDown',
  default: 'v5',
  help: 'v5 (Predictive DocV, returns a transaction token) or the legacy v3 request with a verification level.',
  options: [
    { value: 'v5', label: 'v5 (recommended)' },
    { value: 'v3', label: 'v3 (legacy, uses Verification Level)' },
  ],
};

export const verificationLevelField = z.coerce
  .number()
  .pipe(z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'must be 1, 2 or 3' }))
  .default(1);

export const apiVersionField = z.enum(['v5', 'v3']).default('v5');

export const countryProperty: CapabilityProperty = {
  name: 'country',
  label: 'Country',
  controlType: 'textField',
  help: 'Two letter ISO Country',
};
