// End-to-end: an analyst builds a scorecard on bank-full in the page, reads
// its IV ranking, binning tables and points, merges two bins of `balance`
// and refits; every figure is the CLI's on the recipe the page shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { servedPage, shot, ROOT, OUT, SHARED } from './harness.mjs';

const s = servedPage({ consoleClean: true });
const FILE = 'bank-full.csv';

// The recipe the page ran, through the CLI on the same file.
async function cliReport(name) {
  const recipe = JSON.parse(await s.page.getByTestId('recipe-editor').inputValue());
  recipe.data_dir = SHARED;
  const file = path.join(OUT, name);
  writeFileSync(file, JSON.stringify(recipe));
  return JSON.parse(execFileSync(path.join(ROOT, 'target/release/kequn'), ['run', file, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

const rowsOf = (loc) => loc.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));

test('a scorecard on bank-full: IV ranking, binning tables and points as the CLI gives them; two bins of balance merged and refitted', async () => {
  const { page } = s;
  await page.getByTestId('file-input').setInputFiles(path.join(SHARED, FILE));
  const card = page.locator(`[data-testid=table-card][data-file="${FILE}"]`);
  await card.locator('[data-testid=table-meta]').waitFor();
  await card.locator('tr[data-column=duration] [data-testid=role]').selectOption('exclude');
  await page.getByTestId('label-rule').fill('y == "yes"');
  await page.getByTestId('label-id').fill('');
  await page.getByTestId('model-kind').selectOption('scorecard');
  await page.getByTestId('train').click();
  const sc = page.getByTestId('scorecard');
  await sc.waitFor({ timeout: 240000 });
  assert.equal(await page.getByTestId('model-kind-shown').getAttribute('data-kind'), 'scorecard');

  const full = await cliReport('scorecard-recipe.json');
  const cli = full.model.scorecard;
  const kpi = (k) => page.locator(`[data-testid=scorecard-kpis] [data-kpi="${k}"] b`).textContent();
  assert.equal(await kpi('分数 AUC'), cli.test_auc.toFixed(3));
  assert.equal(await kpi('KS'), cli.test_ks.toFixed(3));
  const kept = cli.characteristics.filter((c) => c.selected).length;
  assert.equal(await kpi('入模特征'), `${kept} / ${cli.characteristics.length}`);
  assert.ok(kept >= 10, `${kept} characteristics kept`);
  assert.match(await page.getByTestId('scorecard-scaling').textContent(), new RegExp(`赔率 1:19 时 600 分，每 50 分赔率翻倍；基础分 ${cli.base_points}`));
  // The points table holds the CLI's rows, in its order.
  const points = await rowsOf(page.locator('[data-testid=scorecard-points] table'));
  assert.deepEqual(points.map((r) => [r[0], r[1], Number(r[3])]), cli.table.map((r) => [r.characteristic, r.bin, r.points]));
  for (const id of ['iv-chart', 'score-bands', 'bin-chart']) assert.ok(await page.locator(`[data-testid=${id}] canvas`).count() > 0, `${id} drawn`);

  // balance's binning table: bins, counts and IV as the CLI's.
  await page.getByTestId('scorecard-column').selectOption('balance');
  const table = page.locator('[data-testid=binning-table][data-column=balance]');
  await table.waitFor();
  const before = cli.characteristics.find((c) => c.name === 'balance').binning;
  const shown = await rowsOf(table);
  assert.deepEqual(shown.map((r) => [r[0], Number(r[1].replaceAll(',', ''))]), before.bins.map((b) => [b.label, b.count]));
  assert.equal(await table.locator('[data-cell=iv]').textContent(), String(+before.iv.toFixed(4)));
  assert.ok(before.splits.length >= 2, `balance has ${before.splits.length + 1} value bins`);
  assert.doesNotMatch(await page.getByTestId('binning-detail').textContent(), /null|undefined/);
  await shot(page, 'scorecard-bank-full');

  // Merge the first two value bins (drop the first cut point) and refit.
  const oldCard = await page.getByTestId('model-card').elementHandle();
  await page.locator('[data-testid=merge-bins]').first().click();
  assert.match(await page.getByTestId('bin-edit-status').textContent(), /重新拟合/);
  await page.getByTestId('refit-scorecard').click();
  await page.waitForFunction((e) => !e.isConnected, oldCard);
  await sc.waitFor({ timeout: 240000 });
  const recipe = JSON.parse(await page.getByTestId('recipe-editor').inputValue());
  const setting = recipe.model.scorecard.per_column.balance;
  assert.deepEqual(setting.user_splits, before.splits.slice(1));
  const after = (await cliReport('scorecard-merged.json')).model.scorecard.characteristics.find((c) => c.name === 'balance').binning;
  assert.deepEqual(after.splits, before.splits.slice(1));
  assert.equal(after.bins.length, before.bins.length - 1);
  // The merged bin holds the two bins' customers.
  assert.equal(after.bins[0].count, before.bins[0].count + before.bins[1].count);
  await page.getByTestId('scorecard-column').selectOption('balance');
  const merged = await rowsOf(page.locator('[data-testid=binning-table][data-column=balance]'));
  assert.deepEqual(merged.map((r) => [r[0], Number(r[1].replaceAll(',', ''))]), after.bins.map((b) => [b.label, b.count]));
  await shot(page, 'scorecard-merged');
});

test('a scorecard candidate list shows each customer\u2019s score and reason codes as the CLI lists them', async () => {
  const { page } = s;
  const file = 'Churn_Modelling.csv';
  await page.getByTestId('file-input').setInputFiles(path.join(SHARED, file));
  await page.locator(`[data-testid=table-card][data-file="${file}"] [data-testid=table-meta]`).waitFor();
  await page.getByTestId('label-rule').fill('Exited == 1');
  await page.getByTestId('label-id').fill('CustomerId');
  await page.getByTestId('model-kind').selectOption('scorecard');
  await page.getByTestId('train').click();
  await page.getByTestId('scorecard').waitFor({ timeout: 240000 });
  const full = await cliReport('scorecard-churn.json');
  const first = full.model.candidates[0];
  assert.ok(first && first.score != null && first.reason_codes.length === 3, JSON.stringify(first));
  const row = page.locator('[data-testid=candidates] tbody tr').first();
  assert.equal(await row.getAttribute('data-id'), first.id);
  assert.equal(await row.getByTestId('candidate-score').textContent(), String(first.score));
  const reasons = await row.locator('td.summary').textContent();
  for (const r of first.reason_codes) assert.ok(reasons.includes(`${r.characteristic} ${r.bin}（少 ${r.points_lost} 分）`), reasons);
  assert.ok(await page.locator('[data-testid=candidates] th', { hasText: '评分' }).count() === 1);
  await shot(page, 'scorecard-candidates');
});
