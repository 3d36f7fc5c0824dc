// Shared set-up for the end-to-end tests: Debian's Chromium driven by playwright-core, against the release
// bundle that `cargo xtask test` serves on loopback (MAILPATH_URL), screenshots into MAILPATH_OUT.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const BASE = process.env.MAILPATH_URL ?? 'http://127.0.0.1:8080/';
export const OUT = process.env.MAILPATH_OUT ?? 'target/test-output';
mkdirSync(OUT, { recursive: true });

// Without the background-networking flags Chromium floods this machine's closed network with connections.
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
}

/** A new page whose console errors and page errors fail the test that checks `errors`. */
export async function open(browser, path = '', options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.goto(new URL(path, BASE).href);
  return { page, context, errors };
}

/** Keeps the page's wasm memory in `window.__memory` (the loader announces the instance when it starts). */
export async function watchWasmMemory(page) {
  await page.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__memory = e.detail.wasm.memory; }));
}

/** The wasm memory size in bytes (after `watchWasmMemory`). */
export function wasmMemory(page) {
  return page.evaluate(() => window.__memory.buffer.byteLength);
}

/**
 * The JS heap in use after a forced GC. A DevTools session only for the measurement: left attached, the heap
 * profiler slows every later allocation.
 */
export async function heapUsed(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

export function shot(name) {
  return join(OUT, name);
}

/** Brings the settings panel on screen (it loads when it comes near the screen) and waits for its controls. */
export async function showSettings(page) {
  await page.locator('.settings').scrollIntoViewIfNeeded();
  await page.waitForSelector('.settings .control');
}
