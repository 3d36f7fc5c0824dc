import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, shot } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the release bundle draws the stage with its actors', async () => {
  const { page, context, errors } = await open(browser);
  await page.waitForSelector('[data-actor="client"]');
  const actors = await page.$$eval('[data-actor]', (els) => els.map((e) => e.getAttribute('data-actor')));
  for (const a of ['client', 'submission', 'dns', 'mx', 'mailbox', 'recipient']) {
    assert.ok(actors.includes(a), `actor ${a} is drawn (got ${actors})`);
  }
  const verdict = await page.textContent('[data-testid="verdict"]');
  assert.match(verdict, /Delivered/);
  await page.screenshot({ path: shot('stage-1280.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
