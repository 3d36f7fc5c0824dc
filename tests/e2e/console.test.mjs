// The SMTP console: by keyboard alone a learner reproduces the article's Outlook Express refusal, fixes it by
// typing AUTH and watches the message travel on; typed markup stays text; a session has a link; at 360 px the
// console is readable without sideways scrolling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, shot } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Presses Tab until the focused element matches `selector` (at most 80 times). */
async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Types a line into the focused console input and sends it with Enter; waits for the log to grow. */
async function say(page, line) {
  const before = await page.locator('[data-testid="console-log"] li').count();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="console-log"] li').length > n, before);
}

const log = (page) => page.locator('[data-testid="console-log"]').innerText();

test('by keyboard alone: the Outlook Express refusal typed by hand, fixed by typing AUTH, and the message travels on', async () => {
  const { page, context, errors } = await open(browser, '#v1;p=outlook-express');
  await page.waitForSelector('.stage');
  await tabTo(page, '.tabs button[data-tab="console"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="console-log"] li.server');
  assert.match(await log(page), /220 smtp\.isp-a\.example ESMTP Sendmail/);
  await tabTo(page, '[data-testid="console-input"]');
  await say(page, 'EHLO laptop.example');
  await say(page, 'MAIL FROM:<alice@isp-a.example>');
  await say(page, 'RCPT TO:<bob@corp-b.example>');
  assert.match(await log(page), /550 5\.7\.1 <bob@corp-b\.example>\.\.\. Relaying denied\. Proper authentication required\./);
  // The page follows: the Why panel explains the refusal at that command, with what the server checked.
  await page.waitForSelector('.why .decision');
  assert.match(await page.locator('.why .decision').innerText(), /authenticated\? no/);
  await page.locator('.why .checks summary').click();
  await page.waitForSelector('.why .checks li.check');
  assert.match(await page.locator('.why .checks').innerText(), /reject_unauth_destination rejects: corp-b\.example is in none of mydestination/);
  await tabTo(page, '[data-testid="console-input"]');
  await page.screenshot({ path: shot('console-refused.png') });
  // The fix, typed: a login (the hint offers it), then the same envelope and a message.
  const hint = await page.locator('[data-testid="console-hint"]').innerText();
  assert.match(hint, /AUTH PLAIN|STARTTLS/);
  await say(page, 'RSET');
  await say(page, 'AUTH PLAIN AGFsaWNlAHNlY3JldA==');
  assert.match(await log(page), /235 2\.0\.0 OK Authenticated/);
  await say(page, 'MAIL FROM:<alice@isp-a.example>');
  await say(page, 'RCPT TO:<bob@corp-b.example>');
  await say(page, 'DATA');
  for (const l of ['From: Alice <alice@isp-a.example>', 'To: bob@corp-b.example', 'Subject: Lunch']) {
    await page.keyboard.type(l);
    await page.keyboard.press('Enter');
  }
  await page.keyboard.press('Enter');
  await page.keyboard.type('Are you free on Friday?');
  await page.keyboard.press('Enter');
  await say(page, '.');
  assert.match(await log(page), /Message accepted for delivery/);
  assert.match(await log(page), /press Play to follow the trip/);
  // The trip plays on by itself to the end: delivered to Bob.
  await page.waitForSelector('[data-testid="verdict"][data-ending="delivered"]', { timeout: 60000 });
  await page.screenshot({ path: shot('console-delivered.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('markup typed into the console is only ever text', async () => {
  const { page, context, errors } = await open(browser, '#v1;p=happy-path');
  await page.waitForSelector('.stage');
  await page.click('.tabs button:text-is("Console")');
  const input = page.locator('[data-testid="console-input"]');
  await input.waitFor();
  const evil = ['<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=2</script>', 'EHLO <b onmouseover=alert(1)>x</b>'];
  await input.fill(evil.join('\n'));
  await input.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="console-log"]').innerText.includes('window.__pwned=2'));
  const text = await log(page);
  for (const e of evil) assert.ok(text.includes(e), `shown as typed: ${e}`);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('[data-testid="console-log"] img, [data-testid="console-log"] script, [data-testid="console-log"] b').count(), 0);
  assert.match(await page.locator('.console-input .said').innerText(), /Sent 3 lines at once/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a console link opens the session, and the console offers its own link', async () => {
  const typed = encodeURIComponent('EHLO laptop.example\nMAIL FROM:<alice@isp-a.example>\nRCPT TO:<bob@corp-b.example>').replace(/%40/g, '@');
  const { page, context, errors } = await open(browser, `#v1;p=stranger-denied;console=laptop%40hotel%3Eprovider:25;typed=${typed}`);
  await page.waitForSelector('[data-testid="console-log"] li.refusal');
  assert.match(await log(page), /Relay access denied/);
  assert.equal(await page.locator('.tabs button[aria-selected="true"]').innerText(), 'Console');
  await page.click('text=Share this session');
  const link = await page.locator('[data-testid="console-link"]').inputValue();
  assert.match(link, /;console=laptop@hotel%3Eprovider:25;typed=EHLO%20laptop\.example%0AMAIL/);
  const swaks = await page.locator('[data-testid="console-swaks"]').inputValue();
  assert.match(swaks, /^# Only test relaying on servers you run/);
  assert.match(swaks, /swaks --server smtp\.isp-a\.example --port 25 --ehlo laptop\.example/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('at 360 px the console fits the screen and its input is a touch target', async () => {
  const { page, context, errors } = await open(browser, '#v1;p=outlook-express', { viewport: { width: 360, height: 740 } });
  await page.waitForSelector('.stage');
  await page.click('.tabs button:text-is("Console")');
  const input = page.locator('[data-testid="console-input"]');
  await input.waitFor();
  await input.fill('EHLO laptop.example');
  await input.press('Enter');
  await page.waitForSelector('[data-testid="console-log"] li:has-text("250-ENHANCEDSTATUSCODES")');
  await input.scrollIntoViewIfNeeded();
  const box = await input.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, `input inside the screen: ${JSON.stringify(box)}`);
  assert.ok(box.height >= 44, `input at least 44 px tall: ${box.height}`);
  const logBox = await page.locator('[data-testid="console-log"]').boundingBox();
  assert.ok(logBox.x >= 0 && logBox.x + logBox.width <= 360, `log inside the screen: ${JSON.stringify(logBox)}`);
  const fontSize = await page.locator('[data-testid="console-log"] li.server').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(fontSize >= 13, `log text readable: ${fontSize}px`);
  await page.screenshot({ path: shot('console-360.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
