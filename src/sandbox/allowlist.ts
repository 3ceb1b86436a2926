/**
 * The IPs & Domains allowlist of the seed's "Setting up Socure". Socure only sends people back to
 * allowed hosts, so a DocV redirect URL elsewhere is refused (403). A domain also allows its subdomains.
 */
export const DEFAULT_ALLOWLIST: readonly string[] = ['localhost', '127.0.0.1', '::1'];
const MAX_ENTRIES = 500;

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/;
const IPV6 = /^[0-9a-f:.]+$/;

/** The canonical form of an entry or a URL host (lower case, no brackets, no trailing dot), or undefined. */
export function normalizeHost(value: string): string | undefined {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (v.includes(':')) return IPV6.test(v) ? v : undefined;
  return HOSTNAME.test(v) ? v : undefined;
}

export class Allowlist {
  readonly #entries = new Set<string>();

  constructor(initial: readonly string[] = DEFAULT_ALLOWLIST) {
    for (const entry of initial) this.add(entry);
  }

  list(): string[] {
    return [...this.#entries];
  }

  /** Returns the stored form; throws a message naming the expected form. */
  add(entry: string): string {
    const host = normalizeHost(entry);
    if (!host) throw new Error('expected a domain such as example.com or an IP address such as 10.0.0.5');
    if (!this.#entries.has(host) && this.#entries.size >= MAX_ENTRIES) {
      throw new Error(`the allowlist holds at most ${MAX_ENTRIES} entries`);
    }
    this.#entries.add(host);
    return host;
  }

  delete(entry: string): boolean {
    const host = normalizeHost(entry);
    return host !== undefined && this.#entries.delete(host);
  }

  /** Whether a URL's host is allowed: an exact entry, or a subdomain of a domain entry. */
  allowsUrl(url: string): boolean {
    let host: string | undefined;
    try {
      host = normalizeHost(new URL(url).hostname);
    } catch {
      return false;
    }
    if (!host) return false;
    for (const entry of this.#entries) {
      if (host === entry || (!entry.includes(':') && host.endsWith(`.${entry}`))) return true;
    }
    return false;
  }
}
