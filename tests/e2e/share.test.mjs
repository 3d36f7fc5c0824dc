// Sharing, embedding, presenting: links that reproduce the exact view, history, damaged links, the embed in a
// sandboxed iframe driven by postMessage, remembering, presentation mode, copying and exporting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, open, shot, showSettings } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const url = (path) => new URL(path, BASE).href;
const ending = (page) => page.getAttribute('[data-testid="verdict"]', 'data-ending');
const step = async (page) => (await page.textContent('[data-testid="step"]')).match(/^Step (\d+) of (\d+)/).slice(1).map(Number);

/** Loads a link in a fresh document (a fragment-only change would not reload). */
async function visit(page, link) {
  await page.goto('about:blank');
  await page.goto(link);
  await page.waitForSelector('[data-actor="client"]');
}

test('every preset has a link that reproduces its verdict and step', async () => {
  const { page, context, errors } = await open(browser, '#happy-path');
  await page.waitForSelector('[data-actor="client"]');
  const slugs = await page.$$eval('.presets option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(slugs.length >= 40, `${slugs.length} presets`);
  const other = await context.newPage();
  for (const slug of slugs) {
    await page.selectOption('.presets select', slug);
    await page.keyboard.press('End');
    const [, total] = await step(page);
    // A step in the middle, then the end: both come back from the link.
    for (const target of [Math.min(Math.ceil(total / 2), 12), total]) {
      if (target === total) {
        await page.keyboard.press('End');
      } else {
        await page.keyboard.press('Home');
        for (let i = 1; i < target; i++) await page.keyboard.press('ArrowRight');
      }
      // The link follows each step (replaced in place).
      await page.waitForURL(new RegExp(`#v1;p=${slug};s=${target - 1}$`), { timeout: 2000 });
      const link = page.url();
      await visit(other, link);
      assert.deepEqual(await step(other), [target, total], `${slug} at step ${target}`);
      assert.equal(await ending(other), await ending(page), `${slug}: same verdict`);
      assert.equal(await other.$eval('.presets select', (s) => s.value), slug);
    }
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('back and forward walk through scenario changes', async () => {
  const { page, context, errors } = await open(browser, '#v1;p=outlook-express');
  await page.waitForSelector('[data-actor="client"]');
  await page.selectOption('.presets select', 'stranger-denied');
  await page.waitForURL(/p=stranger-denied/);
  await page.selectOption('#f-provider-policy', 'defer');
  await page.waitForURL(/provider\.policy=defer/);
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('#f-provider-policy').value === 'reject');
  assert.equal(await page.$eval('.presets select', (s) => s.value), 'stranger-denied');
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('.presets select').value === 'outlook-express');
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('.presets select').value === 'stranger-denied');
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('#f-provider-policy').value === 'defer');
  await page.keyboard.press('End');
  assert.match(await page.textContent('[data-testid="verdict"]'), /454 4\.7\.1 <victim@elsewhere\.example>: Relay access denied/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a damaged or hand-edited link opens the closest scenario and says what was ignored', async () => {
  const { page, context, errors } = await open(browser, '#v1;p=no-such-preset;client.port=99;client.auth=right;bogus;s=zz');
  await page.waitForSelector('[data-actor="client"]');
  const notes = await page.textContent('.notes');
  for (const part of ['no-such-preset', 'client.port', 'bogus', 'zz']) assert.ok(notes.includes(part), `${part} in "${notes}"`);
  await showSettings(page);
  assert.equal(await page.$eval('#f-client-auth', (s) => s.value), 'right', 'the good part is kept');
  // A future version and outright garbage still open a page.
  for (const link of ['#v9;p=happy-path', '#%E0%A4%A', '#' + 'x'.repeat(20000), '?embed=maybe&theme=<b>#happy-path']) {
    await visit(page, url(link));
    assert.ok((await page.textContent('.notes')).length > 0, `${link.slice(0, 30)} gets a note`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('the embed in a sandboxed iframe sizes its host, takes commands and reports steps and outcomes', async () => {
  const { page, context, errors } = await open(browser, 'examples/');
  const frame = () => page.frames().find((f) => f.url().includes('p=outlook-express') || f.url().includes('p=stranger'));
  await page.waitForFunction(() => document.querySelectorAll('iframe').length === 2);
  assert.deepEqual(await page.$$eval('iframe', (fs) => fs.map((f) => f.getAttribute('sandbox'))), ['allow-scripts', 'allow-scripts']);
  await page.waitForFunction(() => document.getElementById('denied').height !== '640', null, { timeout: 15000 });
  const embed = frame();
  await embed.waitForSelector('[data-actor="client"]');
  // Embed view: no settings, no panels, no fixes (locked), no presets.
  assert.equal(await embed.locator('.settings, .side, .presets, .fixes').count(), 0);
  assert.equal(await embed.locator('.playback').count(), 1);
  // The frame's document has an opaque origin: storage is unavailable and nothing breaks.
  assert.equal(await embed.evaluate(() => window.origin), 'null');
  const entries = await page.evaluate(() => history.length);
  const messages = await page.evaluate(() => {
    window.received = [];
    window.addEventListener('message', (e) => window.received.push(e.data));
    return true;
  });
  assert.ok(messages);
  const send = (m) => page.evaluate((m) => window.mailpathSend('denied', m), m);
  await send({ type: 'mailpath:load', preset: 'stranger-denied' });
  await send({ type: 'mailpath:step', step: 3 });
  await page.waitForFunction(() => window.received.some((m) => m.type === 'mailpath:step' && m.step === 3));
  await send({ type: 'mailpath:step', step: 1e6 });
  await page.waitForFunction(() => window.received.some((m) => m.type === 'mailpath:outcome'));
  const outcome = await page.evaluate(() => window.received.find((m) => m.type === 'mailpath:outcome'));
  assert.equal(outcome.ending, 'refused');
  assert.match(outcome.summary, /Relay access denied/);
  // Malformed commands get an error event; unknown and foreign messages are ignored.
  await send({ type: 'mailpath:load', preset: '<img src=x onerror=alert(1)>' });
  await send({ type: 'mailpath:step', step: -4 });
  await send({ type: 'mailpath:dance' });
  await send('just a string');
  await send({ type: 'other:thing', step: 2 });
  await page.waitForFunction(() => window.received.filter((m) => m.type === 'mailpath:error').length === 2);
  const last = await page.evaluate(() => window.received.filter((m) => m.type === 'mailpath:step').at(-1));
  assert.equal(last.step, last.total - 1, 'the out-of-range step went to the end');
  assert.match(await frame().textContent('[data-testid="verdict"]'), /Relay access denied/);
  // Play and pause from the host.
  await send({ type: 'mailpath:restart' });
  await send({ type: 'mailpath:play' });
  await frame().waitForSelector('[data-testid="play"][aria-pressed="true"]');
  await send({ type: 'mailpath:pause' });
  await frame().waitForSelector('[data-testid="play"][aria-pressed="false"]');
  // The host's history is untouched by the embed's steps.
  assert.equal(await page.evaluate(() => history.length), entries);
  await page.locator('#denied').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('embed-in-article.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('embed options: hidden controls, autoplay, lock and a theme', async () => {
  const { page, context, errors } = await open(browser, '?embed&controls=0&autoplay&theme=dark#v1;p=hotel-not-in-network');
  await page.waitForSelector('[data-actor="client"]');
  assert.equal(await page.locator('.playback').count(), 0);
  await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]').dataset.ending === 'refused', null, { timeout: 30000 });
  // The fixes load on demand when the Why panel first reaches them.
  await page.waitForSelector('.fixes', { timeout: 10000 });
  assert.equal(await page.locator('.fixes').count(), 1, 'not locked: fixes are offered');
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--bg').trim());
  assert.equal(bg, '#121418');
  await page.screenshot({ path: shot('embed-dark.png'), fullPage: true });
  await visit(page, url('?embed&lock&theme=light#v1;p=hotel-not-in-network'));
  await page.keyboard.press('End');
  assert.equal(await ending(page), 'refused');
  // Locked: the Why panel is drawn (its explanation loaded) and has no fixes.
  await page.waitForSelector('.why .explanation, .why [data-testid="verdict"]', { timeout: 10000 });
  assert.equal(await page.locator('.fixes').count(), 0, 'locked: no fixes');
  // Without controls there is no Play button to press: the words before the ending say how to go on.
  await visit(page, url('?embed&controls=0#v1;p=hotel-not-in-network'));
  await page.waitForSelector('[data-actor="client"]');
  const pending = await page.textContent('[data-testid="verdict"]');
  assert.doesNotMatch(pending, /Play/);
  assert.match(pending, /Press → to step on/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the last scenario is remembered, and damaged stored data is set aside', async () => {
  const { page, context, errors } = await open(browser, '#v1;p=greylisting');
  await page.waitForSelector('[data-actor="client"]');
  await page.selectOption('#f-client-auth', 'wrong');
  await page.waitForURL(/client\.auth=wrong/);
  await visit(page, url(''));
  assert.match(await page.textContent('.notes'), /Your last scenario is back/);
  await showSettings(page);
  assert.equal(await page.$eval('#f-client-auth', (s) => s.value), 'wrong');
  await page.waitForURL(/p=greylisting;client\.auth=wrong/);
  await page.evaluate(() => localStorage.setItem('mailpath.last', 'v1;p=greylisting;client.auth=%%%;\u0000<script>'));
  await visit(page, url(''));
  assert.match(await page.textContent('.notes'), /could not be read and was set aside/);
  assert.equal(await page.evaluate(() => localStorage.getItem('mailpath.last')), null);
  assert.deepEqual(errors, []);
  await context.close();
});

test('presentation mode: large type, stage and Why only, clicker keys, a QR code of the link', async () => {
  const { page, context, errors } = await open(browser, '?present#v1;p=outlook-express', { viewport: { width: 1920, height: 1080 } });
  await page.waitForSelector('[data-actor="client"]');
  assert.equal(await page.locator('.settings, .side, .top').count(), 0);
  assert.ok(await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize) >= 20));
  for (let i = 0; i < 4; i++) await page.keyboard.press('PageDown');
  assert.deepEqual((await step(page))[0], 5);
  await page.keyboard.press('PageUp');
  assert.deepEqual((await step(page))[0], 4);
  const link = await page.textContent('[data-testid="present-link"]');
  assert.equal(link, url('#v1;p=outlook-express;s=3'));
  assert.ok((await page.$eval('[data-testid="qr"] path', (p) => p.getAttribute('d').length)) > 500, 'QR modules drawn');
  await page.keyboard.press('End');
  await page.screenshot({ path: shot('presentation-1920.png'), fullPage: true });
  // Stage, Why panel and QR code fit one screen, on a 1080p projector and on a 720p one.
  for (const [w, h] of [[1920, 1080], [1280, 720]]) {
    await page.setViewportSize({ width: w, height: h });
    const box = await page.evaluate(() => {
      const r = (q) => document.querySelector(q).getBoundingClientRect();
      return { stage: r('.stage').bottom, qr: r('[data-testid="qr"]').bottom, why: r('.why').top, verdict: r('[data-testid="verdict"]').top, h: innerHeight, scroll: scrollY };
    });
    assert.equal(box.scroll, 0);
    assert.ok(box.stage <= box.h, `the stage fits at ${w}×${h} (${box.stage} > ${box.h})`);
    assert.ok(box.qr <= box.h, `the QR code fits at ${w}×${h} (${box.qr} > ${box.h})`);
    assert.ok(box.verdict < box.h, `the verdict is on screen at ${w}×${h} (${box.verdict})`);
    await page.screenshot({ path: shot(`presentation-${w}x${h}.png`) });
  }
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.keyboard.press('Escape');
  await page.waitForSelector('.top');
  assert.equal(await page.locator('[data-testid="qr"]').count(), 0);
  // Escape also takes presentation out of the address: a reload stays out of it.
  await page.waitForURL((u) => !new URL(u).searchParams.has('present'), { timeout: 5000 });
  assert.match(page.url(), /#v1;p=outlook-express/);
  await page.reload();
  await page.waitForSelector('.top');
  assert.equal(await page.locator('[data-testid="qr"]').count(), 0);
  // And into presentation from the page's own button.
  await page.click('button[title^="Large type"]');
  await page.waitForSelector('[data-testid="qr"]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('share copies the exact link and the embed code; exports are real files', async () => {
  const { page, context, errors } = await open(browser, '#v1;p=outlook-express;s=8');
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(BASE).origin });
  await page.waitForSelector('[data-actor="client"]');
  await page.click('text=Share & export');
  const link = await page.inputValue('[data-testid="share-link"]');
  assert.equal(link, page.url());
  await page.click('text=Copy link');
  await page.waitForSelector('.copy .said:text("Copied.")');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  const code = await page.inputValue('[data-testid="embed-code"]');
  assert.match(code, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed#v1;p=outlook-express;s=8" title="Mailpath: Outlook Express/);
  assert.match(code, /sandbox="allow-scripts"/);
  await page.click('text=Copy embed code');
  await page.waitForFunction(async () => (await navigator.clipboard.readText()).startsWith('<iframe'));

  const file = async (label) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`text=${label}`)]);
    const path = await download.path();
    return [download.suggestedFilename(), (await import('node:fs')).readFileSync(path, 'utf8')];
  };
  const [txtName, txt] = await file('Transcript and trace (.txt)');
  assert.equal(txtName, 'mailpath-outlook-express.txt');
  assert.match(txt, /S: 550 5\.7\.1 <bob@corp-b\.example>\.\.\. Relaying denied/);
  const [, md] = await file('Report (.md)');
  assert.match(md, /^# Outlook Express/);
  const [svgName, svg] = await file('Stage picture (.svg)');
  assert.equal(svgName, 'mailpath-outlook-express.svg');
  // A standalone, well-formed SVG with its style sheet, which renders the refusal.
  const viewer = await context.newPage();
  const parsed = await viewer.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return { error: doc.querySelector('parsererror')?.textContent ?? null, root: doc.documentElement.nodeName, style: doc.querySelector('style')?.textContent.length ?? 0 };
  }, svg);
  assert.deepEqual([parsed.error, parsed.root], [null, 'svg']);
  assert.ok(parsed.style > 1000);
  assert.match(svg, /Refused/);
  await viewer.setContent(`<img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`);
  await viewer.screenshot({ path: shot('exported-stage.png') });
  const width = await viewer.$eval('img', (i) => i.naturalWidth);
  assert.ok(width > 0, 'the exported SVG renders as an image');
  assert.deepEqual(errors, []);
  await context.close();
});
