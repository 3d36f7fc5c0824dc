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

export function shot(name) {
  return join(OUT, name);
}
