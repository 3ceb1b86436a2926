/**
 * Sets `value` at a dotted path of a RiskOS request's `data` (e.g. `individual.address.line_1`), creating
 * the objects on the way: how flat inputs (the CLI's flags, the connector's properties) become its nesting.
 */
export function setWirePath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = target;
  for (const part of parts.slice(0, -1)) {
    at[part] ??= {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]!] = value;
}
