// The worker pool: inputs loaded side by side (the largest by the recipe's
// worker, the others by pool workers) give the very report one worker gives;
// a pool worker that fails leaves its file to the recipe's worker; a cancel
// while they load leaves the page usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { startServer, launch, openPage, pickScenario, shot, ROOT, OUT } from './harness.mjs';

let server, browser;
const pages = [];
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  try {
    for (const p of pages) {
      assert.deepEqual(p.foreign(), [], 'requests left the page origin');
      assert.deepEqual(p.bodies(), [], 'requests carried a body');
    }
  } finally {
    await browser?.close();
    server?.stop();
  }
});

// The wealth scenario in a page opened with `query`, after the worker's
// warm-up (a small table loaded while the page waits; with a pool, in a
// pool worker too): it must leave nothing a run would see.
async function wealth(query) {
  const p = await openPage(browser, `${server.url}?record_reports&${query}`);
  pages.push(p);
  assert.equal(await p.page.evaluate(() => globalThis.kequnTest.warmed()), 'done');
  await pickScenario(p.page, 'wealth');
  await p.page.getByTestId('model-card').filter({ hasText: /候选客户 100 名/ }).waitFor({ timeout: 120000 });
  return p;
}
const runs = (p) => p.page.evaluate(() => globalThis.kequnReports);
// The fit's stopwatch is the one figure that is not the data's.
const steady = (report) => {
  for (const row of report.model?.comparison || []) row.fit_seconds = 0;
  return report;
};

test('two workers give the report one worker gives, to the last figure', async () => {
  const one = await wealth('workers=1');
  const two = await wealth('workers=2&pool_min=0');
  const [a] = await runs(one), [b] = await runs(two);
  assert.equal(a.pooled, 0);
  assert.equal(b.pooled, 2, 'both wealth files loaded apart: one here, one in a pool worker');
  // Served cross-origin isolated, the run itself is threaded (the model's
  // loss, the columns' types and profiles on both cores); one worker is not.
  assert.equal(a.threads, 1);
  if (os.cpus().length > 1) assert.ok(b.threads > 1, `threads: ${b.threads}`);
  assert.deepEqual(steady(b.report), steady(a.report));
  await shot(two.page, 'pool-two-workers');
});

test('K-Prototypes restarts on both cores give the one-worker segmentation, to the last figure', async () => {
  const segmentation = async (query) => {
    const p = await openPage(browser, `${server.url}?record_reports&${query}`);
    pages.push(p);
    await pickScenario(p.page, 'segmentation');
    await p.page.getByTestId('segment-card').waitFor({ timeout: 120000 });
    return p;
  };
  const one = await segmentation('workers=1');
  const two = await segmentation('workers=2&pool_min=0');
  const [a] = await runs(one), [b] = await runs(two);
  assert.equal(a.threads, 1);
  if (os.cpus().length > 1) assert.ok(b.threads > 1, `threads: ${b.threads}`);
  assert.ok(b.report.segment.selection.scores.length > 1, 'a K scan ran');
  assert.deepEqual(b.report, a.report);
});

test('a pool worker that fails leaves its file to the recipe worker; same report', async () => {
  const one = await wealth('workers=1');
  const failing = await wealth('workers=2&pool_min=0&pool_fail');
  const [a] = await runs(one), [b] = await runs(failing);
  assert.equal(b.pooled, 1, 'the largest loaded apart; the failed pool worker\'s file read by the run');
  assert.deepEqual(steady(b.report), steady(a.report));
  assert.equal(await failing.page.getByTestId('error').isVisible(), false);
});

test('a cancel while the pool loads two big files leaves the page working', async () => {
  const files = [1, 2].map((seed) => {
    const f = path.join(OUT, `pool_customers_${seed}.csv`);
    if (!existsSync(f)) execFileSync(path.join(ROOT, 'target/release/kequn'), ['synth', 'customers', '--rows', '1000000', '--seed', String(seed), '--out', f]);
    return f;
  });
  const p = await openPage(browser, `${server.url}?record_reports&workers=2`);
  pages.push(p);
  await p.page.getByTestId('file-input').setInputFiles(files);
  const label = p.page.getByTestId('progress-label');
  await p.page.waitForFunction(() => /pool_customers_\d\.csv · .*%/.test(document.querySelector('[data-testid=progress-label]').textContent));
  await p.page.getByTestId('cancel').click();
  const err = p.page.getByTestId('error');
  await err.waitFor();
  assert.equal(await err.getAttribute('data-code'), 'cancelled');
  assert.equal(await label.isVisible(), false);
  // The next run works, with its pool.
  await pickScenario(p.page, 'wealth');
  await p.page.getByTestId('model-card').filter({ hasText: /候选客户 100 名/ }).waitFor({ timeout: 120000 });
  const recorded = await runs(p);
  assert.equal(recorded.length, 1, 'the cancelled run gave no report');
});

test('files of several slices reach the core whole and in order, with and without the pool', async () => {
  // The worker copies a file in 8 MiB slices with three reads in flight:
  // files of 5 and 4 slices (the larger by the recipe's worker, the other
  // by a pool worker) give the CLI's profile, figure for figure.
  const files = [[150000, 11], [120000, 12]].map(([rows, seed]) => {
    const f = path.join(OUT, `slices_${seed}.csv`);
    if (!existsSync(f)) execFileSync(path.join(ROOT, 'target/release/kequn'), ['synth', 'customers', '--rows', String(rows), '--seed', String(seed), '--out', f]);
    return f;
  });
  const sizes = files.map((f) => statSync(f).size);
  assert.ok(sizes[1] > 3 * (8 << 20) && sizes[0] > sizes[1], `sizes ${sizes}`);
  const recipe = path.join(OUT, 'slices.json');
  writeFileSync(recipe, JSON.stringify({ name: 'profile', inputs: files.map((f) => ({ file: f })) }));
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'target/release/kequn'), ['run', '--json', recipe], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  for (const query of ['workers=1', 'workers=2&pool_min=0']) {
    const p = await openPage(browser, `${server.url}?record_reports&${query}`);
    pages.push(p);
    await p.page.getByTestId('file-input').setInputFiles(files);
    await p.page.locator('[data-testid=table-card][data-file="slices_12.csv"] [data-testid=table-meta]').waitFor({ timeout: 120000 });
    const [run] = await runs(p);
    assert.equal(run.pooled, query === 'workers=1' ? 0 : 2, query);
    assert.equal(run.report.tables.length, 2);
    for (const [k, table] of run.report.tables.entries()) {
      const want = cli.tables[k];
      assert.equal(table.load.bytes, sizes[k]);
      assert.deepEqual({ ...table.load, file: null }, { ...want.load, file: null }, query);
      assert.deepEqual(table.columns, want.columns, `${query}: ${files[k]}`);
    }
    await p.page.close();
  }
});
