// Browser figures for `cargo xtask bench`: load to interactive (ours and the Yew floor app), toggle to frame,
// playback smoothness and memory. Prints one `figure <name> <number>` line per figure on standard output; xtask
// puts them in a table with budgets (and fails if one is missing).
// Needs MAILPATH_URL (the release bundle) and FLOOR_URL (the floor app), both on loopback.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { heapUsed, launch, wasmMemory, watchWasmMemory } from '../e2e/browser.mjs';

const BASE = process.env.MAILPATH_URL;
const FLOOR = process.env.FLOOR_URL;
const STATIC_COPY_DIR = process.env.STATIC_COPY_DIR;
const LOADS = Number(process.env.BENCH_LOADS ?? 20);

const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const log = (...a) => console.error(...a);

const browser = await launch();

/**
 * Cold loads (a fresh context each: no cache), each giving the time from navigation start to every named entry:
 * `interactive` (the app's last mount effect), `started` (the wasm is fetched, compiled and running; the first
 * render follows) and the browser's `first-contentful-paint`. The page is not polled while it loads: it records
 * its own entries, read once it has settled. Returns the median of each, and the p95 of the first.
 */
async function loadTimes(url, names = ['interactive', 'started', 'first-contentful-paint']) {
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    let entries = {};
    for (let waited = 0; names.some((n) => entries[n] === undefined); waited += 500) {
      if (waited > 30000) throw new Error(`after 30 s at ${url}, still no ${names.filter((n) => entries[n] === undefined).join(', ')}`);
      await page.waitForTimeout(waited ? 500 : 1000);
      entries = await page.evaluate(() => Object.fromEntries(
        [...performance.getEntriesByType('mark'), ...performance.getEntriesByType('paint')].map((m) => [m.name, m.startTime]),
      ));
    }
    for (const n of names) times[n].push(entries[n]);
    await context.close();
  }
  const medians = Object.fromEntries(names.map((n) => [n, quantile(times[n], 0.5)]));
  return { ...medians, p95: quantile(times[names[0]], 0.95) };
}

log('load to interactive …');
const ours = await loadTimes(new URL('#v1;p=outlook-express', BASE).href);
const floor = await loadTimes(FLOOR);

// The same page as static HTML and CSS (the rendered DOM, scripts removed): its first paint is what the page's
// layout and painting cost on this machine with no WebAssembly at all.
{
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(new URL('#v1;p=outlook-express', BASE).href);
  await page.waitForSelector('[data-actor="client"]');
  const html = await page.evaluate(() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('script, link[rel="modulepreload"], link[rel="preload"]').forEach((e) => e.remove());
    return `<!doctype html>${copy.outerHTML.replace('<head>', '<head><base href="../">')}`;
  });
  writeFileSync(join(STATIC_COPY_DIR, 'index.html'), html);
  await context.close();
}
const staticCopy = await loadTimes(new URL('static-copy/', BASE).href, ['first-contentful-paint']);

const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
await page.goto(new URL('#v1;p=outlook-express', BASE).href);
await page.waitForSelector('[data-actor="client"]');

log('toggle to frame …');
await page.click('.tabs button:text-is("What if")');
await page.waitForSelector('.whatif td.current'); // its chunk loads when the tab is first opened
await page.locator('.settings').scrollIntoViewIfNeeded(); // the settings load when they come near the screen
await page.waitForSelector('#f-client-auth');
const toggle = (id) => page.evaluate(async (id) => {
  const select = document.querySelector(id);
  const values = [...select.options].map((o) => o.value);
  const task = () => new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); });
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const raw = [];
  const busy = [];
  for (let i = 0; i < 100; i++) {
    await frame();
    await task();
    const t0 = performance.now();
    select.value = values[i % values.length];
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await Promise.resolve(); // Yew re-renders in the microtask the change queued
    const t1 = performance.now();
    await frame(); // the next frame starts (waiting for the display's 60 Hz tick is idle time)
    const t2 = performance.now();
    await task(); // a task queued from the frame runs once it is painted
    const t3 = performance.now();
    if (!document.querySelector('.whatif td.current')) throw new Error('the what-if table is not shown');
    raw.push(t3 - t0);
    busy.push(t1 - t0 + (t3 - t2));
  }
  return { raw, busy };
}, id);
// Authentication is one of the what-if table's axes (the table is kept); the provider's server software is not
// (the table's 54 simulations run again).
const toggles = await toggle('#f-client-auth');
const recomputing = await toggle('#f-provider-flavour');

log('playback at 4× …');
const playback = [];
for (const slug of ['outlook-express', 'greylisting', 'backup-mx-primary-down']) {
  await page.goto('about:blank');
  await page.goto(new URL(`#v1;p=${slug}`, BASE).href);
  await page.waitForSelector('[data-actor="client"]');
  await page.click('.tabs button:text-is("Transcript")');
  playback.push(await page.evaluate(async () => {
    let long = 0;
    new PerformanceObserver((l) => { long += l.getEntries().length; }).observe({ type: 'longtask' });
    document.querySelector('.speed select').value = '4';
    document.querySelector('.speed select').dispatchEvent(new Event('change', { bubbles: true }));
    const frames = [];
    let last = performance.now();
    let running = true;
    const tick = (t) => { frames.push(t - last); last = t; if (running) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    document.querySelector('[data-testid="play"]').click();
    await new Promise((r) => setTimeout(r, 50));
    const start = performance.now();
    while (document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'true' && performance.now() - start < 60000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    running = false;
    await new Promise((r) => setTimeout(r, 100));
    return { long, frames: frames.length, slow: frames.slice(1).filter((d) => d > 20).length, seconds: (performance.now() - start) / 1000 };
  }));
}

log('memory over 1,000 scenarios …');
await page.goto('about:blank');
await watchWasmMemory(page);
await page.goto(new URL('#happy-path', BASE).href);
await page.waitForSelector('[data-actor="client"]');
const wasm0 = await wasmMemory(page);
const heap0 = await heapUsed(context, page);
await page.evaluate(async () => {
  const slugs = [...document.querySelectorAll('.presets option')].map((o) => o.value).filter(Boolean);
  const auth = ['off', 'right', 'wrong'];
  for (let i = 0; i < 1000; i++) {
    history.replaceState(null, '', `#v1;p=${slugs[i % slugs.length]};client.auth=${auth[i % 3]}`);
    dispatchEvent(new PopStateEvent('popstate'));
    await Promise.resolve();
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 0));
  }
});
const wasm1 = await wasmMemory(page);
const heap1 = await heapUsed(context, page);

await browser.close();
const sum = (key) => playback.reduce((a, p) => a + p[key], 0);
const figures = {
  'load.ours.median': ours.interactive, 'load.ours.p95': ours.p95, 'load.floor.median': floor.interactive, 'load.floor.p95': floor.p95,
  'load.ours.started': ours.started, 'load.floor.started': floor.started,
  'paint.ours': ours['first-contentful-paint'], 'paint.static': staticCopy['first-contentful-paint'],
  'toggle.busy.p50': quantile(toggles.busy, 0.5), 'toggle.busy.p95': quantile(toggles.busy, 0.95),
  'toggle.raw.p50': quantile(toggles.raw, 0.5), 'toggle.raw.p95': quantile(toggles.raw, 0.95),
  'toggle.table.busy.p50': quantile(recomputing.busy, 0.5), 'toggle.table.busy.p95': quantile(recomputing.busy, 0.95),
  'playback.long': sum('long'), 'playback.slow': sum('slow'), 'playback.frames': sum('frames'),
  'memory.wasm.before': wasm0, 'memory.wasm.after': wasm1, 'memory.heap.before': heap0, 'memory.heap.after': heap1,
};
for (const [name, value] of Object.entries(figures)) console.log(`figure ${name} ${value}`);
