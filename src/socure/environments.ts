/** Socure environments and their public hosts (socure-api.md §1). */
export const SOCURE_ENVIRONMENTS = ['sandbox', 'certification', 'production'] as const;
export type SocureEnvironment = (typeof SOCURE_ENVIRONMENTS)[number];

/**
 * Certification has its own keys but Socure publishes no host for it; pass `baseUrl`
 * (or SOCURE_API_URL) with the host from your Socure account team.
 */
export const SOCURE_HOSTS: Record<Exclude<SocureEnvironment, 'certification'>, string> = {
  sandbox: 'https://sandbox.socure.com',
  production: 'https://service.socure.com',
};

/** Parses and checks a base URL: http(s), no credentials, query or fragment. Returns it without a trailing slash. */
export function parseBaseUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (url.username || url.password) return 'must not contain credentials';
  if (url.search || url.hash) return 'must not contain a query or fragment';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}
