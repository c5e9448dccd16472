// Shared set-up for the end-to-end tests: the real CLI server on loopback,
// Debian's Chromium driven by playwright-core, and a record of every request
// so a test can fail on any that leaves the page's origin.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = path.join(ROOT, 'test-output');
export const SHARED = path.resolve(ROOT, '../shared/data/real');
mkdirSync(OUT, { recursive: true });

export async function startServer() {
  const bin = path.join(ROOT, 'target/release/kequn');
  const proc = spawn(bin, ['serve', path.join(ROOT, 'www'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/on (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${buf}`)));
  });
  return { url, stop: () => proc.kill() };
}

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    // playwright gives every launch a fresh, empty user-data-dir of its own.
  });
}

/** Opens the page and records every request; `foreign()` lists those off the page's origin. */
export async function openPage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const origin = new URL(url).origin;
  const requests = [];
  const withBody = [];
  const consoleErrors = [];
  page.on('request', (r) => { requests.push(r.url()); if (r.postDataBuffer()) withBody.push(r.url()); });
  // Errors, and deprecation warnings (an API the page uses is going away).
  page.on('console', (m) => { if (m.type() === 'error' || /deprecated/i.test(m.text())) consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // Includes the worker's requests.
  context.on('request', (r) => { requests.push(r.url()); if (r.postDataBuffer()) withBody.push(r.url()); });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]');
  const foreign = () => [...new Set(requests)].filter((u) => {
    if (u.startsWith('blob:') || u.startsWith('data:')) return false;
    return new URL(u).origin !== origin;
  });
  // `bodies()`: requests that carried a body (none may: nothing is uploaded).
  return { page, context, requests, foreign, bodies: () => [...new Set(withBody)], consoleErrors };
}

// `full: false` shoots the viewport only: a full-page shot resizes the
// viewport for a moment, and the layout settling after it can move a
// button out from under the next click.
export async function shot(page, name, { full = true } = {}) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: full });
}

/**
 * Loads a built-in sample (`name`, or the one chosen) and waits for `ready`,
 * a locator that shows the run finished. An element `ready` matched from an
 * earlier run must go first, or the wait would end on the old one while the
 * new run is still under way.
 */
export async function loadSample(page, name, ready) {
  const old = (await ready.count()) ? await ready.first().elementHandle() : null;
  await pickScenario(page, name);
  if (old) await page.waitForFunction((e) => !e.isConnected, old, { timeout: 120000 });
  await ready.first().waitFor({ timeout: 120000 });
}

/**
 * One served page for a whole test file: the real server and Chromium start
 * before the file's tests and stop after them, and after them the file fails
 * on any request off the page's origin or carrying a body (and, with
 * `consoleClean`, on any console error). The returned object is filled in
 * before the first test: `s.page`, `s.foreign()`, … as `openPage` gives them.
 */
export function servedPage({ consoleClean = false } = {}) {
  const s = {};
  let server, browser;
  before(async () => {
    server = await startServer();
    browser = await launch();
    Object.assign(s, await openPage(browser, server.url));
  });
  after(async () => {
    // Closed even when a check fails: a browser left open keeps the test
    // process (and CI) waiting forever.
    try {
      if (s.page) {
        assert.deepEqual(s.foreign(), [], 'requests left the page origin');
        assert.deepEqual(s.bodies(), [], 'requests carried a body');
        if (consoleClean) assert.deepEqual(s.consoleErrors, [], 'console errors');
      }
    } finally {
      await browser?.close();
      server?.stop();
    }
  });
  return s;
}

/**
 * Starts a scenario as a user does: picking another one in the list starts
 * it at once; the one already picked (or the quick sample, '') takes the
 * "load" button.
 */
export async function pickScenario(page, name) {
  const choice = page.getByTestId('sample-choice');
  if (name !== undefined && name !== '' && await choice.inputValue() !== name) {
    await choice.selectOption(name);
    return;
  }
  // Not `selectOption` of the value already picked: Playwright fires
  // `change` even then, which starts the scenario a second time, and the
  // second start clears the first run's cards just after they are drawn.
  if (name === '') await choice.selectOption('');
  await page.getByTestId('load-sample').click();
}

/** Opens the reading options (collapsed in the first view) as a user would. */
export async function readingOptions(page) {
  const d = page.getByTestId('options');
  if (!(await d.evaluate((e) => e.open))) await d.locator('summary').click();
}

/**
 * Runs axe-core (WCAG 2 A/AA rules) over the page as it stands and returns
 * the serious and critical violations, each as "rule: target…" for the
 * assertion message. The page's CSP does not apply to the driver's evaluate.
 */
export async function axeViolations(page) {
  const source = readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(() => globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}${v.nodes.length > 3 ? ` … ${v.nodes.length} nodes` : ''}`);
}
