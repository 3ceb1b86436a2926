/** Fills `{name}` placeholders of a message; an unknown name stays visible (a missing value shows, not vanishes). */
export function fillPlaceholders(template: string, values?: Record<string, string | number>): string {
  return values ? template.replace(/\{(\w+)\}/g, (m, name: string) => String(values[name] ?? m)) : template;
}
