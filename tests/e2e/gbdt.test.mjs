// End-to-end: an analyst compares gradient boosting with logistic regression
// and a tree on their own file (Churn_Modelling.csv), reads the SHAP plots
// and a customer's waterfall, saves the trees and applies them again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { servedPage, shot, ROOT, OUT, SHARED } from './harness.mjs';

const s = servedPage({ consoleClean: true });

const FILE = 'Churn_Modelling.csv';
const card = () => s.page.locator(`[data-testid=table-card][data-file="${FILE}"]`);
// LightGBM 4.7 on the same split (tests/reference/gbdt_recipe_reference.txt),
// which the native recipe test reaches exactly.
const LIGHTGBM_TEST_AUC = 0.862790;
const LIGHTGBM_CV_AUC = 0.849492;

test('compare all three on Churn_Modelling: GBDT is chosen at LightGBM\'s AUC, with SHAP plots and a waterfall per customer', async () => {
  const { page } = s;
  await page.getByTestId('file-input').setInputFiles(path.join(SHARED, FILE));
  await card().locator('[data-testid=table-meta]').waitFor();
  // Row number and surname are not features; the id column names the customers.
  for (const col of ['RowNumber', 'Surname']) await card().locator(`tr[data-column="${col}"] [data-testid=role]`).selectOption('exclude');
  await page.getByTestId('label-rule').fill('Exited == 1');
  // The id chosen in the column table fills the id field.
  await card().locator('tr[data-column="CustomerId"] [data-testid=role]').selectOption('id');
  assert.equal(await page.getByTestId('label-id').inputValue(), 'CustomerId');
  await page.getByTestId('model-kind').selectOption('compare');
  await page.getByTestId('train').click();
  const cmp = page.getByTestId('model-comparison');
  await cmp.waitFor({ timeout: 240000 });
  const cell = (kind, c) => cmp.locator(`tr[data-kind=${kind}] [data-cell=${c}]`).textContent();
  assert.equal(await cmp.locator('tbody tr').count(), 3);
  assert.equal(Number(await cell('gbdt', 'test_auc')), Number(LIGHTGBM_TEST_AUC.toFixed(3)));
  assert.match(await cell('gbdt', 'cv_auc'), new RegExp(`^${LIGHTGBM_CV_AUC.toFixed(3)} ± 0\\.0\\d\\d$`));
  assert.ok(Number(await cell('logistic', 'test_auc')) < 0.8, 'logistic regression stays near 0.77 on this file');
  assert.equal(await cmp.locator('tr.chosen').getAttribute('data-kind'), 'gbdt');
  assert.equal(await page.getByTestId('model-kind-shown').getAttribute('data-kind'), 'gbdt');
  assert.match(await page.getByTestId('gbdt-summary').textContent(), /100 棵树.*Geography、Gender/);
  // The charts are drawn (canvas in each).
  for (const id of ['roc', 'shap-bar', 'shap-beeswarm', 'shap-dependence', 'waterfall']) {
    assert.equal(await page.locator(`[data-testid=${id}] canvas`).count() > 0, true, `${id} has a chart`);
  }
  // Candidates read as drivers with the customer's own values.
  const firstRow = page.locator('[data-testid=candidates] tbody tr').first();
  assert.match(await firstRow.locator('td.summary').textContent(), /NumOfProducts = \d → \+\d\.\d\d/);
  const wf = page.getByTestId('waterfall');
  assert.equal(await wf.getAttribute('data-id'), await firstRow.getAttribute('data-id'));
  await shot(page, 'gbdt-compare');
  // Another customer's waterfall by clicking their row; the dependence plot by picking a column.
  const second = page.locator('[data-testid=candidates] tbody tr').nth(1);
  await second.click();
  assert.equal(await wf.getAttribute('data-id'), await second.getAttribute('data-id'));
  await page.getByTestId('dependence-column').selectOption('Age');
  await shot(page, 'gbdt-waterfall-dependence');

  // The saved model holds the trees and applies again, in the page and the CLI alike.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-model').click()]);
  const modelPath = path.join(OUT, 'churn-gbdt-model.json');
  await dl.saveAs(modelPath);
  const saved = JSON.parse(readFileSync(modelPath, 'utf8'));
  assert.equal(saved.format, 'kequn-model/2');
  assert.equal(saved.gbdt.trees.length, 100);
  // The same model as SQL for the warehouse: the page writes what `kequn export-sql` writes.
  await page.getByTestId('sql-dialect').selectOption('spark');
  await page.getByTestId('sql-table').fill('dw.churn');
  await page.getByTestId('sql-id').fill('CustomerId');
  const [sqlDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-sql').click()]);
  const sqlPath = path.join(OUT, 'churn-gbdt-spark.sql');
  await sqlDl.saveAs(sqlPath);
  const cliSql = execFileSync(path.join(ROOT, 'target/release/kequn'),
    ['export-sql', '--model', modelPath, '--dialect', 'spark', '--table', 'dw.churn', '--id', 'CustomerId'], { encoding: 'utf8' });
  assert.equal(readFileSync(sqlPath, 'utf8'), cliSql);
  assert.match(cliSql, /FROM `dw`\.`churn`/);
  // An id named like an output column is refused in the card, in the page's language.
  await page.getByTestId('sql-id').fill('PROBABILITY');
  await page.getByTestId('export-sql').click();
  await page.getByTestId('sql-error').waitFor();
  assert.match(await page.getByTestId('sql-error').textContent(), /同一列/);
  await page.getByTestId('model-input').setInputFiles(modelPath);
  await page.getByTestId('applied-card').waitFor();
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'target/release/kequn'),
    ['score', '--model', modelPath, '--id', 'CustomerId', '--exclude-positive', '--json', path.join(SHARED, FILE)], { encoding: 'utf8' }));
  const rows = await page.locator('[data-testid=applied-candidates] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.ok(rows.length > 0);
  for (let i = 0; i < rows.length; i++) {
    assert.equal(rows[i][1], cli.candidates[i].id);
    assert.equal(rows[i][2], `${(cli.candidates[i].probability * 100).toFixed(1)}%`);
  }

  // In English the comparison and the plots speak English.
  await page.getByTestId('lang').click();
  await page.getByTestId('train').click();
  await page.locator('[data-testid=model-comparison] h3', { hasText: 'Models compared' }).waitFor({ timeout: 240000 });
  assert.match(await page.getByTestId('gbdt-summary').textContent(), /100 trees/);
  await shot(page, 'gbdt-compare-en');
  await page.getByTestId('lang').click();
});
