// Features load when first opened: the first screen fetches no chunk; opening a feature fetches its chunk once
// (same origin, under the CSP); a failed fetch says so with a retry that works; once loaded, a feature keeps
// working offline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Records the URLs the page requests (path after the origin). */
function watchRequests(page) {
  const urls = [];
  page.on('request', (r) => urls.push(new URL(r.url()).pathname));
  return urls;
}
const chunks = (urls) => urls.filter((u) => u.includes('/lazy/'));

test('the first screen loads no feature chunk; each feature fetches its own once, from the same origin', async () => {
  // A window short enough that the settings panel starts below the first screen.
  const { page, context, errors } = await open(browser, '#v1;p=outlook-express', { viewport: { width: 1280, height: 400 } });
  const urls = watchRequests(page);
  await page.reload();
  await page.waitForSelector('.stage [data-actor="submission"]');
  const below = await page.evaluate(() => document.querySelector('.settings').getBoundingClientRect().top - innerHeight);
  assert.ok(below > 300, `the settings start ${below} px below the first screen`);
  await page.waitForTimeout(500);
  assert.deepEqual(chunks(urls), [], 'no chunk before a feature is opened');
  await page.click('.tabs button:text-is("What if")');
  await page.waitForSelector('.whatif td.current');
  assert.ok(chunks(urls).some((u) => /\/lazy\/whatif-[0-9a-f]+\.wasm$/.test(u)), chunks(urls).join(' '));
  await page.click('.tabs button:text-is("Transcript")');
  await page.click('.tabs button:text-is("What if")');
  await page.waitForSelector('.whatif td.current');
  assert.equal(chunks(urls).filter((u) => u.includes('/whatif-')).length, 1, 'fetched once');
  await page.click('text=Share & export');
  await page.waitForSelector('[data-testid="embed-code"]');
  assert.ok(chunks(urls).some((u) => u.includes('/lazy/share-')));
  // The settings load when they come near the screen.
  assert.ok(!chunks(urls).some((u) => u.includes('/lazy/controls-')), 'settings not loaded while off screen');
  await page.locator('.settings').scrollIntoViewIfNeeded();
  await page.waitForSelector('.settings .control');
  assert.ok(chunks(urls).some((u) => u.includes('/lazy/controls-')));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a chunk that fails to load says so, and Retry loads it', async () => {
  const { page, context } = await open(browser, '#v1;p=happy-path');
  await page.waitForSelector('.stage');
  let block = true;
  await page.route('**/lazy/share-*.wasm', (route) => (block ? route.abort('connectionrefused') : route.continue()));
  await page.click('text=Share & export');
  const failed = page.locator('.load-failed');
  await failed.waitFor();
  assert.match(await failed.textContent(), /The share panel could not be loaded/);
  assert.equal(await page.locator('[data-testid="embed-code"]').count(), 0);
  block = false;
  await failed.locator('button:text-is("Retry")').click();
  await page.waitForSelector('[data-testid="embed-code"]');
  assert.equal(await page.locator('.load-failed').count(), 0);
  await context.close();
});

test('once loaded, a feature works offline', async () => {
  const { page, context, errors } = await open(browser, '#v1;p=greylisting');
  await page.waitForSelector('.stage');
  await page.click('.tabs button:text-is("Timeline")');
  await page.waitForSelector('.timeline li');
  await context.setOffline(true);
  await page.click('.tabs button:text-is("Transcript")');
  await page.click('.tabs button:text-is("Timeline")');
  await page.waitForSelector('.timeline li');
  // A feature never opened cannot load offline, and says so instead of leaving a dead panel.
  await page.click('.tabs button:text-is("Message")');
  await page.locator('.load-failed').waitFor();
  await context.setOffline(false);
  await page.locator('.load-failed button:text-is("Retry")').click();
  await page.waitForSelector('.message .headers');
  assert.deepEqual(errors.filter((e) => !/Failed to fetch|ERR_INTERNET_DISCONNECTED|failed to load split/.test(e)), []);
  await context.close();
});
