import type { z } from 'zod';

/** The hidden form field the Sigma Device collector fills on a screen with `deviceSession: true`. */
export const DEVICE_SESSION_FIELD = 'deviceSessionId';

/**
 * A screen that collects a device session needs somewhere to put it: a hidden field `deviceSessionId`, which the
 * flow then passes to ID+ (`"deviceSessionId": "{{form.deviceSessionId}}"`).
 */
export function deviceSessionNeedsField(
  screen: { deviceSession?: boolean; fields: ReadonlyArray<{ name: string; type: string }> },
  ctx: z.RefinementCtx,
): void {
  if (!screen.deviceSession) return;
  const field = screen.fields.find((f) => f.name === DEVICE_SESSION_FIELD);
  if (field?.type !== 'hidden') {
    ctx.addIssue({
      code: 'custom',
      path: ['deviceSession'],
      message: `deviceSession needs a field {"name": "${DEVICE_SESSION_FIELD}", "type": "hidden"} for the collector to fill`,
    });
  }
}
