import { z } from 'zod';
import { noIdPlusKeyError, type SocureClient, SocureInputError } from '../socure/index.js';
import type { ConnectorConfig } from './config.js';

/** The control a flow designer renders for a property (the seed's vocabulary). */
export type ControlType = 'textField' | 'dropDown' | 'dropDownMultiSelect' | 'keyValueList' | 'codeEditor';

export interface CapabilityProperty {
  name: string;
  label: string;
  controlType: ControlType;
  required?: boolean;
  default?: unknown;
  help?: string;
  options?: ReadonlyArray<{ value: string; label: string }>;
}

export interface CapabilityContext {
  client: SocureClient;
  config: ConnectorConfig;
}

/** A connector capability described as data, with its zod schemas and the function that runs it. */
export interface Capability<In extends z.ZodType = z.ZodType, Out extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  description: string;
  properties: readonly CapabilityProperty[];
  input: In;
  output: Out;
  execute(input: z.input<In>, context: CapabilityContext): Promise<z.output<Out>>;
}

export function defineCapability<In extends z.ZodType, Out extends z.ZodType>(
  c: Capability<In, Out>,
): Capability<In, Out> {
  return c;
}

/** What the manifest shows of a capability: data only, JSON Schemas generated from the zod schemas. */
export function describeCapability(c: Capability) {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    properties: c.properties,
    inputSchema: z.toJSONSchema(c.input, { io: 'input', unrepresentable: 'any' }),
    outputSchema: z.toJSONSchema(c.output, { io: 'output', unrepresentable: 'any' }),
  };
}

/**
 * Refuses an ID+ / DocV capability on a RiskOS-only configuration before its input is checked: the person could
 * not fix the form anyway (the client refuses the call too; this only says so first).
 */
export function requireIdPlus(client: SocureClient): void {
  if (!client.hasIdPlus) throw noIdPlusKeyError();
}

/** Validates a capability's input; the error names the property at fault. */
export function parseCapabilityInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SocureInputError(issue.path.map(String).join('.') || 'input', issue.message);
  }
  return parsed.data;
}

/**
 * Runs `fn`, renaming the field of an input error from the wire name (`ipAddress`, `config.redirect.url`) to the
 * property a flow designer set (`ip`, `redirectUrl`), so the error points at what they can fix.
 */
export async function withPropertyNames<T>(
  names: Readonly<Record<string, string>>,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof SocureInputError) || !Object.hasOwn(names, err.field)) throw err;
    throw new SocureInputError(names[err.field]!, err.reason);
  }
}
