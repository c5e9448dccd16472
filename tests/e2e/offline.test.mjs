// End-to-end: the single offline file dist/kequn.html opened from file://,
// with no server: the sample loads, a scenario runs in the worker, and no
// request goes anywhere but the file itself and its blob:/data: URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, openPage, shot, ROOT, OUT, pickScenario } from './harness.mjs';

const FILE = path.join(ROOT, 'dist/kequn.html');
let browser, s;

before(async () => {
  assert.ok(existsSync(FILE), 'make page writes dist/kequn.html');
  browser = await launch();
  s = await openPage(browser, pathToFileURL(FILE).href);
});

after(async () => {
  await browser?.close();
});

const metaOf = (file) => s.page.locator(`[data-testid=table-card][data-file="${file}"] [data-testid=table-meta]`);

test('the single file opens from file:// and its built-in sample loads', async () => {
  console.log(`dist/kequn.html: ${statSync(FILE).size} bytes`);
  assert.match(await s.page.locator('#version').textContent(), /^v\d/);
  await s.page.getByTestId('load-sample').click();
  await metaOf('customers.csv').waitFor();
  assert.match(await metaOf('customers.csv').textContent(), /300 行 × 31 列/);
  await shot(s.page, 'offline-sample');
});

test('a scenario runs from the single file: the segmentation recipe with its charts and CSV download', async () => {
  await pickScenario(s.page, 'segmentation');
  await s.page.getByTestId('segment-meta').filter({ hasText: 'K-Prototypes' }).waitFor();
  assert.match(await s.page.getByTestId('k-reason').textContent(), /建议 K = 3：/);
  assert.equal(await s.page.locator('[data-testid=segment-table] tbody tr').count(), 3);
  await s.page.locator('[data-testid=segment-scatter] canvas').waitFor();
  // Downloads work offline too (a blob: URL written by the core).
  const [dl] = await Promise.all([s.page.waitForEvent('download'), s.page.getByTestId('download-segments').click()]);
  assert.equal(dl.suggestedFilename(), 'segments.csv');
  await shot(s.page, 'offline-segmentation');
});

test('a workbook opens from file://: the office build comes unpacked from the file itself', async () => {
  await s.page.getByTestId('file-input').setInputFiles(path.join(ROOT, 'tests/fixtures/customers.xlsx'));
  await metaOf('customers.xlsx').waitFor({ timeout: 60000 });
  assert.match(await metaOf('customers.xlsx').textContent(), /^300 行 × 31 列/);
  const off = [...new Set(s.requests)].filter((u) => !/^(file:|blob:|data:)/.test(u));
  assert.deepEqual(off, []);
  assert.deepEqual(s.consoleErrors, []);
});

// The wealth scenario from file:// with `query`; its recorded run.
async function offlineWealth(query) {
  const p = await openPage(browser, `${pathToFileURL(FILE).href}?record_reports&${query}`);
  try {
    await pickScenario(p.page, 'wealth');
    await p.page.getByTestId('model-card').filter({ hasText: /候选客户 100 名/ }).waitFor({ timeout: 120000 });
    const [run] = await p.page.evaluate(() => globalThis.kequnReports);
    assert.deepEqual(p.consoleErrors, []);
    const off = [...new Set(p.requests)].filter((u) => !/^(file:|blob:|data:)/.test(u));
    assert.deepEqual(off, []);
    for (const row of run.report.model?.comparison || []) row.fit_seconds = 0; // the stopwatch
    return run;
  } finally {
    await p.context.close();
  }
}

test('from file:// the page starts the pool workers: two workers give the report one gives; a failing one leaves its file to the run', async () => {
  const one = await offlineWealth('workers=1');
  const two = await offlineWealth('workers=2&pool_min=0');
  assert.equal(one.pooled, 0);
  assert.equal(two.pooled, 2, 'both files loaded apart: one in the worker, one in a pool worker the page started');
  assert.deepEqual(two.report, one.report);
  const failing = await offlineWealth('workers=2&pool_min=0&pool_fail');
  assert.equal(failing.pooled, 1, 'the failed pool worker\'s file read by the run itself');
  assert.deepEqual(failing.report, one.report);
});

test('from file://, a cancel while the page\'s pool workers load two big files leaves the page working', async () => {
  const files = [1, 2].map((seed) => {
    const f = path.join(OUT, `pool_customers_${seed}.csv`);
    if (!existsSync(f)) execFileSync(path.join(ROOT, 'target/release/kequn'), ['synth', 'customers', '--rows', '1000000', '--seed', String(seed), '--out', f]);
    return f;
  });
  const p = await openPage(browser, `${pathToFileURL(FILE).href}?record_reports&workers=2&pool_min=0`);
  try {
    await p.page.getByTestId('file-input').setInputFiles(files);
    await p.page.waitForFunction(() => /pool_customers_\d\.csv · .*%/.test(document.querySelector('[data-testid=progress-label]').textContent));
    await p.page.getByTestId('cancel').click();
    const err = p.page.getByTestId('error');
    await err.waitFor();
    assert.equal(await err.getAttribute('data-code'), 'cancelled');
    // The next run works, with its pool.
    await pickScenario(p.page, 'wealth');
    await p.page.getByTestId('model-card').filter({ hasText: /候选客户 100 名/ }).waitFor({ timeout: 120000 });
    const runs = await p.page.evaluate(() => globalThis.kequnReports);
    assert.equal(runs.length, 1, 'the cancelled run gave no report');
    assert.equal(runs[0].pooled, 2);
    assert.deepEqual(p.consoleErrors, []);
  } finally {
    await p.context.close();
  }
});

test('offline: no console errors, and nothing but the file itself and blob:/data: was requested', async () => {
  assert.deepEqual(s.consoleErrors, []);
  const off = [...new Set(s.requests)].filter((u) => !/^(file:|blob:|data:)/.test(u));
  assert.deepEqual(off, []);
  assert.ok(s.requests.some((u) => u.startsWith('blob:')), 'the worker ran from a Blob URL');
});
