import { describe, expect, it } from 'vitest';
import { nodeSchema } from '../../src/flows/definition.js';

const screen = (extra: Record<string, unknown>, fields: unknown[]) => ({
  type: 'screen',
  title: 'Your details',
  fields,
  next: 'score',
  ...extra,
});

describe('screen deviceSession', () => {
  it('needs a hidden deviceSessionId field for the collector to fill', () => {
    const missing = nodeSchema.safeParse(screen({ deviceSession: true }, []));
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]).toMatchObject({ path: ['deviceSession'] });
    expect(missing.error?.issues[0]?.message).toContain('"deviceSessionId"');

    const visible = nodeSchema.safeParse(
      screen({ deviceSession: true }, [{ name: 'deviceSessionId', label: 'Device' }]),
    );
    expect(visible.success).toBe(false);

    const hidden = [{ name: 'deviceSessionId', label: 'Device', type: 'hidden' }];
    expect(nodeSchema.safeParse(screen({ deviceSession: true }, hidden)).success).toBe(true);
    expect(nodeSchema.safeParse(screen({}, [])).success).toBe(true);
  });
});

describe('wait docvSdk', () => {
  it('is a boolean', () => {
    const wait = (docvSdk: unknown) => ({
      type: 'wait',
      title: 'Verify',
      docvSdk,
      challenge: { docvTransactionToken: '{{getUrl.docvTransactionToken}}' },
      events: ['VERIFICATION_COMPLETED'],
      timeout: '30m',
      branches: { resolved: 'a', timeout: 'b' },
    });
    expect(nodeSchema.safeParse(wait(true)).success).toBe(true);
    expect(nodeSchema.safeParse(wait('yes')).success).toBe(false);
  });
});
