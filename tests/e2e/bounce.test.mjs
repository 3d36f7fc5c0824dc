// Bring your own bounce: a learner pastes the article's Outlook Express message, a real Postfix bounce and an
// Exchange NDR; each is read (who refused, where, why) with its items pointing into the pasted text, and "Show me"
// lands on the step where it went wrong with the bounce's own names. A hostile paste stays text; at 360 px the
// reading fits the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, open, shot } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const corpus = (path) => readFileSync(new URL(`../bounces/${path}`, import.meta.url), 'utf8');

async function openReader(page) {
  await page.waitForSelector('.stage');
  await page.locator('.tabs button[data-tab="your-bounce"]').click();
  await page.waitForSelector('[data-testid="bounce-paste"]');
}

async function paste(page, text) {
  await page.locator('[data-testid="bounce-paste"]').fill(text);
  await page.waitForSelector('[data-testid="bounce-reading"], [data-testid="bounce-error"]');
}

const item = (page, label) => page.locator(`.reading dd[data-label="${label}"]`).innerText();

/** Presses "Show me" and waits until the page shows the opened scenario at its decisive step. */
async function showMe(page) {
  await page.locator('[data-testid="bounce-show"]').click();
  await page.waitForSelector('.tabs button[data-tab="transcript"][aria-selected="true"]');
}

test("the article's Outlook Express message: the provider refused at RCPT TO; Show me lands on the refusal", async () => {
  const { page, errors } = await open(browser, '#v1;p=happy-path');
  await openReader(page);
  await page.getByRole('button', { name: "Try the article's message" }).click();
  await page.waitForSelector('[data-testid="bounce-reading"]');
  const r = page.locator('[data-testid="bounce-reading"]');
  assert.equal(await r.getAttribute('data-class'), 'relay-denied');
  assert.equal(await r.getAttribute('data-kind'), 'dialog');
  assert.match(await item(page, 'Written by'), /Outlook Express/);
  assert.match(await item(page, 'Refused by'), /smtp\.isp-a\.example/);
  assert.match(await item(page, 'At command'), /RCPT TO/);
  assert.match(await item(page, 'Relaying'), /log in/);
  assert.match(await item(page, 'What to do'), /587/);
  // "show in the text" marks the very words in the paste.
  await page.locator('.reading dd[data-label="Server\'s words"] button').click();
  assert.match(await page.locator('.bounce-source mark.on').innerText(), /^550 5\.7\.1 <bob@corp-b\.example>\.\.\. Relaying denied/);
  await showMe(page);
  await page.waitForSelector('[data-testid="verdict"][data-ending="refused"]');
  assert.match(await page.locator('.why').innerText(), /relay/i);
  assert.match(await page.locator('.transcript').innerText(), /Relaying denied/);
  assert.deepEqual(errors, []);
});

test('a real Postfix bounce: the recipient\'s server refused relaying; Show me opens the bounce with its names', async () => {
  const { page, errors } = await open(browser, '');
  await openReader(page);
  await paste(page, corpus('postfix-real/next-hop-denies-relaying-554.eml'));
  const r = page.locator('[data-testid="bounce-reading"]');
  assert.equal(await r.getAttribute('data-class'), 'relay-denied');
  assert.match(await item(page, 'Written by'), /Postfix/);
  assert.match(await item(page, 'Reporting server'), /smtp\.isp-a\.example/);
  assert.match(await item(page, 'Refused by'), /mx1\.corp-b\.example \[192\.0\.2\.10\]/);
  assert.match(await item(page, 'Relaying'), /misconfigured/);
  assert.match(await item(page, 'What to do'), /administrator/);
  await page.screenshot({ path: shot('bounce-postfix-read.png') });
  await showMe(page);
  // It stops at the recipient's server's refusal, the decision explained, with the bounce's names.
  await page.waitForSelector('.why .decision');
  assert.match(await page.locator('.why').innerText(), /relay/i);
  assert.match(await page.locator('.transcript').innerText(), /554 5\.7\.1 <bob@corp-b\.example>: Relay access denied/);
  // Back to the tab: the paste and its reading are still there.
  await page.locator('.tabs button[data-tab="your-bounce"]').click();
  await page.waitForSelector('[data-testid="bounce-reading"]');
  assert.match(await page.locator('[data-testid="bounce-paste"]').inputValue(), /Relay access denied/);
  assert.deepEqual(errors, []);
});

test('an Exchange NDR: user unknown at mx.google.com; Show me uses the address and server from the NDR', async () => {
  const { page, errors } = await open(browser, '');
  await openReader(page);
  await paste(page, corpus('exchange/mailbouncedetector-exchange2007-gmail-user-unknown.eml'));
  const r = page.locator('[data-testid="bounce-reading"]');
  assert.equal(await r.getAttribute('data-class'), 'user-unknown');
  assert.match(await item(page, 'Written by'), /Exchange/);
  assert.match(await item(page, 'Refused by'), /mx\.google\.com/);
  await showMe(page);
  await page.waitForSelector('.why .decision');
  assert.match(await page.locator('.why').innerText(), /mailbox|spelling/i);
  // The opened scenario speaks with the NDR's names.
  const transcript = await page.locator('.transcript').innerText();
  assert.match(transcript, /email_that_does_not_exists_this_is_just_a_test@gmail\.com/);
  assert.deepEqual(errors, []);
});

test('a hostile paste stays text, nonsense gets a clear message, and at 360 px the reading fits the screen', async () => {
  const { page, errors } = await open(browser, '', { viewport: { width: 360, height: 740 } });
  await openReader(page);
  await paste(page, 'hello, nothing here');
  assert.match(await page.locator('[data-testid="bounce-error"]').innerText(), /could not read this/);
  await paste(page, '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\n550 5.7.1 <x@y.example>: Relay access denied');
  assert.equal(await page.locator('[data-testid="bounce-reading"]').getAttribute('data-class'), 'relay-denied');
  assert.match(await page.locator('.bounce-source').innerText(), /<script>window.__pwned=2<\/script>/);
  assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
  assert.equal(await page.locator('.bounce-reader img, .bounce-reader script').count(), 0);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the page is ${wide} px wide at 360 px`);
  const box = await page.locator('.reading dd[data-label="Problem"]').boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 360, 'the problem line is inside the screen');
  await page.screenshot({ path: shot('bounce-360.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('Received: lines of a message that arrived are drawn as the path, hop by hop, with TLS and login', async () => {
  const { page, errors } = await open(browser, '');
  await openReader(page);
  await paste(page, [
    'Received: from mx1.corp-b.example (mx1.corp-b.example [192.0.2.10])',
    '\tby imap.corp-b.example (Postfix) with ESMTPS id 4A1B2;',
    '\tMon, 2 Mar 2026 09:00:03 +0000 (UTC)',
    'Received: from smtp.isp-a.example (smtp.isp-a.example [203.0.113.25])',
    '\tby mx1.corp-b.example (Postfix) with ESMTP id 3C4D5',
    '\tfor <bob@corp-b.example>; Mon, 2 Mar 2026 09:00:02 +0000 (UTC)',
    'Received: from laptop.example (unknown [198.51.100.23])',
    '\tby smtp.isp-a.example (Postfix) with ESMTPSA id 702E2',
    '\tfor <bob@corp-b.example>; Mon, 2 Mar 2026 09:00:01 +0000 (UTC)',
    'Subject: Lunch on Friday?',
    '',
    'Are you free?',
  ].join('\n'));
  assert.equal(await page.locator('[data-testid="bounce-reading"]').getAttribute('data-kind'), 'received');
  const hops = await page.locator('.hop-path li').allInnerTexts();
  assert.equal(hops.length, 3);
  assert.match(hops[0], /laptop\.example \[198\.51\.100\.23\][\s\S]*smtp\.isp-a\.example[\s\S]*ESMTPSA · encrypted · logged in[\s\S]*09:00:01/);
  assert.match(hops[1], /smtp\.isp-a\.example[\s\S]*mx1\.corp-b\.example[\s\S]*ESMTP · not encrypted/);
  assert.match(hops[2], /mx1\.corp-b\.example[\s\S]*imap\.corp-b\.example[\s\S]*ESMTPS · encrypted/);
  assert.deepEqual(errors, []);
});
