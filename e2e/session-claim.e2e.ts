import { describe, expect, test } from 'vitest';
import { useE2E, useRuns } from './support/env.js';
import { startFlow } from './support/flow.js';

const env = useE2E();
const newRun = useRuns(env);

describe('a session belongs to the browser that opened it', () => {
  test('session-claim: the link pasted into another browser says to continue on the first device and shows nothing of the session', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const first = await run.desktop();
    await startFlow(run, first, 'idplus-score');
    const link = first.url();
    await expect.poll(() => first.locator('input[name="firstName"]').inputValue()).toBe('Dwayne');

    const second = await run.desktop();
    const answer = await second.goto(link);
    expect(answer?.status()).toBe(403);
    await expect.poll(() => second.locator('h1').textContent()).toBe('Continue on your first device');
    const html = await second.content();
    expect(html).not.toContain('Dwayne');
    expect(html).not.toContain('name="csrf"');
    await run.snap(second, 'claimed-elsewhere');

    // The first browser still has it, and its cookie is HttpOnly and SameSite=Lax.
    await first.reload();
    expect(await first.locator('input[name="firstName"]').inputValue()).toBe('Dwayne');
    const [cookie] = await first.context().cookies();
    expect(cookie).toMatchObject({ name: 'sc_browser', httpOnly: true, sameSite: 'Lax' });
  });
});
