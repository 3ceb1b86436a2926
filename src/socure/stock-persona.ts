/**
 * Socure's stock test persona (socure-api.md §7), used to pre-fill demo forms and as the sandbox's
 * clean "accept" identity. Fictional data.
 */
export const STOCK_PERSONA = {
  firstName: 'Dwayne',
  surName: 'Denver',
  dob: '1975-04-02',
  nationalId: '400013784',
  email: 'dwayne.denver@example.com',
  mobileNumber: '+13475550100',
  physicalAddress: '1301 Main Street',
  city: 'Brownsville',
  state: 'TN',
  zip: '38012',
  country: 'US',
} as const;
