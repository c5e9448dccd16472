// End-to-end: the analyst's own file through the guided flow at 1366×768 —
// dropped onto the page, a leak excluded from the column table, trained,
// segmented and mined for product rules by form, with the step bar saying
// where each step stands and no result lost on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { servedPage, shot, SHARED, ROOT } from './harness.mjs';

const s = servedPage({ consoleClean: true });
const FILE = 'bank-full.csv';
const stateOf = (key) => s.page.locator(`[data-testid=steps] [data-step=${key}]`).getAttribute('data-state');
const role = (c) => s.page.locator(`[data-testid=table-card][data-file="${FILE}"] tr[data-column="${c}"] [data-testid=role]`);

// Waits for a run started by `act` to finish with `testid` shown anew.
async function runAndWait(act, testid) {
  const old = await s.page.getByTestId(testid).count() ? await s.page.getByTestId(testid).elementHandle() : null;
  await act();
  if (old) await s.page.waitForFunction((e) => !e.isConnected, old, { timeout: 120000 });
  await s.page.getByTestId(testid).waitFor({ timeout: 120000 });
}

test('bank-full by drag-and-drop: the step bar, roles, a leak excluded, segments and product rules by form', async () => {
  const { page } = s;
  await page.setViewportSize({ width: 1366, height: 768 });
  // The first view: the reading options are folded, the step bar shows nothing started.
  assert.equal(await page.getByTestId('options').evaluate((d) => d.open), false);
  assert.equal(await stateOf('data'), 'todo');
  const text = readFileSync(path.join(SHARED, FILE), 'utf8');
  await page.evaluate(({ name, text }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: 'text/csv' }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { name: FILE, text });
  await page.locator(`[data-testid=table-card][data-file="${FILE}"] [data-testid=table-meta]`).waitFor();
  assert.equal(await stateOf('data'), 'done');
  assert.equal(await stateOf('model'), 'todo');
  await shot(page, 'workbench-1-data');

  // Label and train: the leak is named and marked; one click leaves it out.
  await page.getByTestId('label-rule').fill('y == "yes"');
  await page.waitForFunction(() => document.querySelector('tr[data-column="y"] [data-testid=role]')?.value === 'label');
  await runAndWait(() => page.getByTestId('train').click(), 'model-card');
  await page.locator('[data-testid=leak-warning][data-column=duration]').waitFor();
  assert.equal(await stateOf('model'), 'done');
  // The run scrolled to the model and focused its heading.
  assert.ok(await page.getByTestId('model-card').evaluate((c) => c.contains(document.activeElement)), 'focus on the model card');
  const box = await page.getByTestId('model-card').boundingBox();
  assert.ok(box.y >= 0 && box.y < 768, `the model card starts in view (y ${box.y})`);
  await shot(page, 'workbench-2-model-leak');
  // Excluding a column makes the model stale until it is trained again.
  await role('duration').selectOption('exclude');
  assert.equal(await stateOf('model'), 'stale');
  // Balanced class weights off, five folds of cross-validation from the form.
  await page.getByTestId('class-weight').selectOption('none');
  await page.getByTestId('cv-folds').fill('5');
  await runAndWait(() => page.getByTestId('train').click(), 'model-card');
  assert.equal(await page.getByTestId('leak-warning').count(), 0);
  const cv = await page.locator('[data-testid=model-comparison] tr[data-kind=logistic] [data-cell=cv_auc]').textContent();
  // scikit-learn on the same rows and folds (tests/reference/bank_logistic_reference.py).
  const ref = readFileSync(path.join(ROOT, 'tests/reference/bank_logistic_reference.txt'), 'utf8').match(/kequn rows: test_auc ([\d.]+) cv_auc ([\d.]+) cv_sd ([\d.]+)/);
  const [mean, sd] = cv.split(' ± ').map(Number);
  assert.ok(Math.abs(mean - Number(ref[2])) <= 0.001 && Math.abs(sd - Number(ref[3])) <= 0.001, `CV AUC ${cv} against scikit-learn ${ref[2]} ± ${ref[3]}`);
  assert.ok(Math.abs(Number(await page.locator('[data-kpi="AUC"] b').textContent()) - Number(ref[1])) <= 0.001, 'test AUC as scikit-learn');
  assert.equal(JSON.parse(await page.getByTestId('recipe-editor').inputValue()).model.cv_folds, 5);
  assert.equal(await stateOf('model'), 'done');

  // Segments by form: by default the feature columns, never the label source or the excluded column.
  await page.locator('[data-testid=steps] [data-step=segment]').click();
  const segCols = await page.locator('[data-testid=seg-columns-column]:checked').evaluateAll((bs) => bs.map((b) => b.value));
  assert.ok(segCols.includes('age') && segCols.includes('balance'), segCols.join());
  assert.ok(!segCols.includes('y') && !segCols.includes('duration'), segCols.join());
  await page.getByTestId('seg-k').fill('4');
  await shot(page, 'workbench-3-segment-form');
  await runAndWait(() => page.getByTestId('run-segment').click(), 'segment-card');
  assert.match(await page.getByTestId('segment-meta').textContent(), /45,211/);
  assert.equal(await page.locator('[data-testid=segment-table] tbody tr').count(), 4);
  assert.equal(await stateOf('segment'), 'done');
  // The model is still there: the segment run kept it.
  assert.equal(await page.getByTestId('model-card').count(), 1);
  await shot(page, 'workbench-4-segments');

  // Product rules by form on the yes/no holdings.
  await page.locator('[data-testid=steps] [data-step=basket]').click();
  for (const c of ['housing', 'loan', 'default']) await page.locator(`[data-testid=basket-columns-column][value="${c}"]`).check();
  await page.getByTestId('basket-support').fill('0.01');
  await page.getByTestId('basket-confidence').fill('0.1');
  await runAndWait(() => page.getByTestId('run-basket').click(), 'basket-card');
  assert.ok(await page.locator('[data-testid=rules] tbody tr').count() > 0, 'rules found');
  assert.equal(await stateOf('basket'), 'done');
  assert.equal(await page.getByTestId('segment-card').count(), 1);
  await shot(page, 'workbench-5-rules');

  // A form error keeps every result and says what to do.
  await page.locator('[data-testid=basket-columns-column]').evaluateAll((bs) => bs.forEach((b) => { b.checked = false; }));
  await page.getByTestId('run-basket').click();
  await page.waitForFunction(() => /至少勾选两列/.test(document.querySelector('[data-testid=error]').textContent));
  for (const id of ['model-card', 'segment-card', 'basket-card']) assert.equal(await page.getByTestId(id).count(), 1, id);

  // In English the bar and the forms speak English.
  await page.getByTestId('lang').click();
  assert.match(await page.getByTestId('steps').textContent(), /Data.*Label and features.*Model.*Segments.*Product rules/);
  assert.match(await page.getByTestId('run-segment').textContent(), /Run segmentation/);
  await page.getByTestId('lang').click();
});
