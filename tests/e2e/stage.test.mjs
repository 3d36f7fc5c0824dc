// The simulator in a real browser: every article situation ends as the core says, the denial is shown where it
// happens, and the page works with the keyboard alone and without motion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, shot, showSettings } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// slug → how it ends, who refuses, and the line the server said.
const ARTICLE = {
  'outlook-express': ['refused', ['submission'], '550 5.7.1 <bob@corp-b.example>... Relaying denied. Proper authentication required.'],
  'happy-path': ['delivered', [], 'Delivered to bob@corp-b.example'],
  'stranger-denied': ['refused', ['submission'], '554 5.7.1 <victim@elsewhere.example>: Relay access denied'],
  'open-relay-abused': ['delivered', [], 'Delivered to all 2 recipients'],
  'hotel-port25-blocked': ['no-connection', ['client'], 'could not connect'],
  'hotel-not-in-network': ['refused', ['submission'], '554 5.7.1 <bob@corp-b.example>: Relay access denied'],
  'hotel-fixed-587': ['delivered', [], 'Delivered to bob@corp-b.example'],
  'pop-before-smtp': ['delivered', [], 'Delivered to bob@corp-b.example'],
  'recipient-misconfigured': ['bounced', ['mx'], '554 5.7.1 <bob@corp-b.example>: Relay access denied'],
  'middle-man-forwards': ['delivered', [], 'Delivered to bob@corp-b.example'],
  'middle-man-denies': ['bounced', ['relay'], '554 5.7.1 <bob@corp-b.example>: Relay access denied'],
  'backup-mx-primary-down': ['delivered', [], 'Delivered to bob@corp-b.example'],
  'unknown-user': ['bounced', ['mx'], '550 5.1.1 <nobody@corp-b.example>: Recipient address rejected: User unknown'],
  'greylisting': ['delivered', [], 'Delivered to bob@corp-b.example'],
  'message-too-big': ['bounced', ['mx'], '552 5.3.4 Message size exceeds fixed limit'],
};

async function ending(page) {
  return page.getAttribute('[data-testid="verdict"]', 'data-ending');
}

test('every article situation ends as the simulation says, with the refusing actor marked', async () => {
  const { page, context, errors } = await open(browser, '#happy-path');
  for (const [slug, [end, denied, line]] of Object.entries(ARTICLE)) {
    await page.goto(new URL(`?case=${slug}#${slug}`, page.url()).href);
    await page.waitForSelector('[data-actor="client"]');
    await page.click('button[aria-label="Go to the end"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]').dataset.ending !== 'pending');
    assert.equal(await ending(page), end, slug);
    const verdict = await page.textContent('[data-testid="verdict"]');
    assert.ok(verdict.includes(line), `${slug}: "${line}" in "${verdict}"`);
    const deniedNow = await page.$$eval('[data-actor][data-state="denied"]', (els) => els.map((e) => e.dataset.actor));
    for (const actor of denied) assert.ok(deniedNow.includes(actor), `${slug}: ${actor} is denied (denied: ${deniedNow})`);
    if (denied.length === 0) assert.deepEqual(deniedNow, [], `${slug}: nobody refuses`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('playing stops at the exact command where relaying is denied, and a login fixes it', async () => {
  const { page, context, errors } = await open(browser, '#outlook-express');
  await page.waitForSelector('[data-actor="client"]');
  await page.selectOption('.speed select', { label: '4×' });
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]').dataset.ending === 'refused', null, { timeout: 20000 });
  const current = await page.textContent('.lines li.current');
  assert.match(current, /^S: 550 5\.7\.1 <bob@corp-b\.example>\.\.\. Relaying denied/);
  assert.match(await page.textContent('.gate'), /Authenticated\? ✗ no/);
  assert.match(await page.textContent('.mua-dialog'), /The message could not be sent because one of the recipients was rejected by the server/);
  await page.screenshot({ path: shot('outlook-express-denied-1280.png'), fullPage: true });
  // Turning on authentication in the controls turns the refusal into a delivery.
  await page.selectOption('#f-client-auth', 'right');
  await page.click('button[aria-label="Go to the end"]');
  assert.equal(await ending(page), 'delivered');
  assert.match(location(page), /client\.auth=right/);
  assert.deepEqual(errors, []);
  await context.close();
});

function location(page) {
  return page.url();
}

test('the keyboard alone drives a situation', async () => {
  const { page, context, errors } = await open(browser, '#hotel-not-in-network');
  await page.waitForSelector('[data-actor="client"]');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.match(await page.textContent('[data-testid="step"]'), /^Step 3 of/);
  await page.keyboard.press('ArrowLeft');
  assert.match(await page.textContent('[data-testid="step"]'), /^Step 2 of/);
  await page.keyboard.press('End');
  assert.equal(await ending(page), 'refused');
  await page.keyboard.press('Home');
  assert.match(await page.textContent('[data-testid="step"]'), /^Step 1 of/);
  await page.keyboard.press(' ');
  assert.equal(await page.getAttribute('[data-testid="play"]', 'aria-pressed'), 'true');
  await page.keyboard.press(' ');
  assert.equal(await page.getAttribute('[data-testid="play"]', 'aria-pressed'), 'false');
  // Tab reaches the controls with a visible focus, and arrow keys change a choice.
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'f-client-auth');
  }
  assert.ok(reached, 'the authentication control is reachable with Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await page.keyboard.press('ArrowDown');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('End');
  await showSettings(page);
  assert.equal(await page.$eval('#f-client-auth', (s) => s.value), 'right');
  assert.equal(await ending(page), 'delivered');
  const live = await page.textContent('[aria-live="polite"]');
  assert.ok(live.length > 0, 'events are announced');
  assert.deepEqual(errors, []);
  await context.close();
});

test('reduced motion replaces the animation with instant steps', async () => {
  const { page, context } = await open(browser, '#happy-path', { reducedMotion: 'reduce' });
  await page.waitForSelector('[data-actor="client"]');
  await page.keyboard.press('ArrowRight');
  const duration = await page.$eval('.envelope', (e) => getComputedStyle(e).transitionDuration);
  assert.equal(duration, '0s');
  await context.close();
  const normal = await open(browser, '#happy-path');
  await normal.page.waitForSelector('[data-actor="client"]');
  await normal.page.keyboard.press('ArrowRight');
  assert.notEqual(await normal.page.$eval('.envelope', (e) => getComputedStyle(e).transitionDuration), '0s');
  await normal.context.close();
});

test('screenshots at phone, laptop and projector widths, with nothing wider than the screen', async () => {
  for (const width of [360, 1280, 1920]) {
    const { page, context, errors } = await open(browser, '#recipient-misconfigured', { viewport: { width, height: 900 } });
    await page.waitForSelector('[data-actor="client"]');
    await page.keyboard.press('End');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling of the page at ${width}px (${overflow}px)`);
    await page.screenshot({ path: shot(`stage-${width}.png`), fullPage: true });
    // The widest panel, the what-if grid, scrolls inside its own box: the page does not, and the box stays
    // inside its panel.
    await page.click('[data-tab="what-if"]');
    await page.waitForSelector('.whatif td.current', { timeout: 10000 });
    const wide = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      box: document.querySelector('.whatif').getBoundingClientRect().right - document.querySelector('.panels').getBoundingClientRect().right,
    }));
    assert.ok(wide.page <= 0, `the what-if grid does not widen the page at ${width}px (${wide.page}px)`);
    assert.ok(wide.box <= 0, `the what-if grid stays inside its panel at ${width}px (${wide.box}px)`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the bounce opens in a real modal window that marks the refusing server\'s words and gives focus back', async () => {
  const { page, context, errors } = await open(browser, '#recipient-misconfigured', { viewport: { width: 360, height: 740 } });
  await page.waitForSelector('[data-actor="client"]');
  await page.keyboard.press('End');
  const opener = page.locator('button.read', { hasText: 'Read the bounce' });
  await opener.waitFor({ timeout: 10000 });
  await opener.click();
  await page.waitForSelector('dialog.reader[open]');
  assert.ok(await page.evaluate(() => !!document.activeElement.closest('dialog[open]')), 'focus moves into the window');
  const key = page.locator('dialog.reader [data-testid="key-line"]');
  await key.scrollIntoViewIfNeeded();
  assert.ok(await key.isVisible(), 'the line that matters is marked and on screen');
  assert.match(await key.textContent(), /[45]\d\d[ -][245]\.\d+\.\d+/);
  // Tab stays in the window (the page behind is inert).
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    const inside = await page.evaluate(() => document.activeElement === document.body || !!document.activeElement.closest('dialog[open]'));
    assert.ok(inside, `Tab ${i + 1} stays in the window`);
  }
  // Stepping keys do not move the page behind while it is open.
  const before = await page.textContent('[data-testid="step"]');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.textContent('[data-testid="step"]'), before);
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog.reader', { state: 'detached' });
  const back = await page.evaluate(() => document.activeElement.outerHTML.slice(0, 120));
  assert.match(back, /^<button[^>]*>Read the bounce<\/button>$/, `focus is back on the button (${back})`);
  // The Message tab lists each report once.
  await page.click('[data-tab="message"]');
  await page.locator('button.read', { hasText: 'Open:' }).first().waitFor({ timeout: 10000 });
  const opens = await page.$$eval('button.read', (bs) => bs.map((b) => b.textContent).filter((t) => t.startsWith('Open:')));
  assert.ok(opens.length >= 1, 'the bounce is listed');
  assert.equal(new Set(opens).size, opens.length, `each message once: ${opens.join(' | ')}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('unconfirmed wording is a note beside the server\'s words, never inside them', async () => {
  // Exchange's refusal of DATA without recipients is still unconfirmed (the Outlook Express case's Sendmail lines
  // are all confirmed by a real Sendmail now).
  const { page, context, errors } = await open(browser, '#exchange-relay-denied');
  await page.waitForSelector('[data-actor="client"]');
  const live = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('ArrowRight');
    live.push(await page.textContent('[aria-live="polite"]'));
  }
  for (const text of live) assert.doesNotMatch(text, /wording|unconfirmed/, `live region: ${text}`);
  await page.click('[data-tab="timeline"]');
  await page.waitForSelector('.timeline .words', { timeout: 10000 });
  const words = await page.$$eval('.timeline .words', (ws) => ws.map((w) => w.textContent));
  assert.ok(words.some((w) => w.startsWith('S: ')), 'server replies are listed');
  for (const w of words) assert.doesNotMatch(w, /wording|unconfirmed/, `timeline: ${w}`);
  const notes = await page.locator('.timeline .unconfirmed-note').count();
  assert.ok(notes >= 1, `the unconfirmed Exchange reply carries a note beside it (${notes})`);
  assert.deepEqual(errors, []);
  await context.close();
});
