// End-to-end: the analyst's own file through the guided flow at 1366×768 —
// dropped onto the page, a leak excluded from the column table, trained,
// segmented and mined for product rules by form, with the step bar saying
// where each step stands and no result lost on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { servedPage, shot, axeViolations, SHARED, ROOT } from './harness.mjs';

const s = servedPage({ consoleClean: true });

// The CLI's report of a recipe the page shows, on the same file.
function cliReport(recipe) {
  const dir = mkdtempSync(path.join(tmpdir(), 'kequn-bank-'));
  writeFileSync(path.join(dir, 'recipe.json'), JSON.stringify(recipe));
  return JSON.parse(execFileSync(path.join(ROOT, 'target/release/kequn'), ['run', path.join(dir, 'recipe.json'), '--dir', SHARED, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 }));
}
const FILE = 'bank-full.csv';
const stateOf = (key) => s.page.locator(`[data-testid=steps] [data-step=${key}]`).getAttribute('data-state');
const role = (c) => s.page.locator(`[data-testid=table-card][data-file="${FILE}"] tr[data-column="${c}"] [data-testid=role]`);

// Waits for a run started by `act` to finish with `testid` shown anew; an
// error shown instead fails at once with its text.
async function runAndWait(act, testid) {
  const old = await s.page.getByTestId(testid).count() ? await s.page.getByTestId(testid).elementHandle() : null;
  await act();
  await s.page.waitForFunction(({ old, testid }) => {
    const err = document.querySelector('[data-testid=error]');
    if (err && !err.hidden) return true;
    const now = document.querySelector(`[data-testid=${testid}]`);
    return now && now !== old && (!old || !old.isConnected);
  }, { old, testid }, { timeout: 120000 });
  const err = s.page.getByTestId('error');
  assert.equal(await err.isVisible(), false, `error instead of ${testid}: ${await err.textContent()}`);
}

// The "Done when", played as one analyst: bank-full dropped on the
// page, duration excluded from the column table after the leak warning
// names it, y == "yes", CV AUC within 0.005 of 0.766, segments and product
// rules by form, every row's score exported, one customer looked up, the
// session saved, the page reloaded and the session opened again with the
// same results; an error and a cancel on the way lose nothing; axe finds
// nothing serious in either language; screenshots of each step at 1366×768.
test('the analyst on bank-full: drop, roles, leak, train, segments, rules, every row, lookup, session across a reload', async () => {
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
  // The card says its figures are from before the change.
  assert.match(await page.getByTestId('model-card').getByTestId('stale-note').textContent(), /前面的步骤已更改/);
  // Balanced class weights off, five folds of cross-validation from the form.
  await page.getByTestId('class-weight').selectOption('none');
  await page.getByTestId('cv-folds').fill('5');
  await runAndWait(() => page.getByTestId('train').click(), 'model-card');
  assert.equal(await page.getByTestId('leak-warning').count(), 0);
  assert.equal(await page.getByTestId('stale-note').count(), 0);
  const cv = await page.locator('[data-testid=model-comparison] tr[data-kind=logistic] [data-cell=cv_auc]').textContent();
  // scikit-learn on the same rows and folds (tests/reference/bank_logistic_reference.py).
  const ref = readFileSync(path.join(ROOT, 'tests/reference/bank_logistic_reference.txt'), 'utf8').match(/kequn rows: test_auc ([\d.]+) cv_auc ([\d.]+) cv_sd ([\d.]+)/);
  const [mean, sd] = cv.split(' ± ').map(Number);
  assert.ok(Math.abs(mean - Number(ref[2])) <= 0.001 && Math.abs(sd - Number(ref[3])) <= 0.001, `CV AUC ${cv} against scikit-learn ${ref[2]} ± ${ref[3]}`);
  assert.ok(Math.abs(Number(await page.locator('[data-kpi="AUC"] b').textContent()) - Number(ref[1])) <= 0.001, 'test AUC as scikit-learn');
  assert.equal(JSON.parse(await page.getByTestId('recipe-editor').inputValue()).model.cv_folds, 5);
  assert.equal(await stateOf('model'), 'done');
  // The protocol, folds over every row: within 0.005 of 0.766, and
  // scikit-learn's figure on our folds of all rows (tests/reference/bank_folds_all.txt).
  await page.getByTestId('cv-rows').selectOption('all');
  await runAndWait(() => page.getByTestId('train').click(), 'model-card');
  const every = readFileSync(path.join(ROOT, 'tests/reference/bank_logistic_reference.txt'), 'utf8').match(/kequn folds of all rows: cv_auc ([\d.]+) cv_sd ([\d.]+)/);
  const cvAll = await page.locator('[data-testid=model-comparison] tr[data-kind=logistic] [data-cell=cv_auc]').textContent();
  const [meanAll, sdAll] = cvAll.split(' ± ').map(Number);
  assert.ok(Math.abs(meanAll - 0.766) <= 0.005, `CV AUC over every row ${cvAll}, the issue's 0.766`);
  assert.ok(Math.abs(meanAll - Number(every[1])) <= 0.001 && Math.abs(sdAll - Number(every[2])) <= 0.001, `CV AUC ${cvAll} against scikit-learn ${every[1]} ± ${every[2]}`);
  assert.match(await page.locator('[data-kpi="交叉验证 AUC（全部行）"] b').textContent(), new RegExp(`^${meanAll.toFixed(3)} ± `));

  // Segments by form: by default the feature columns, never the label source or the excluded column.
  await page.locator('[data-testid=steps] [data-step=segment]').click();
  const segCols = await page.locator('[data-testid=seg-columns-column]:checked').evaluateAll((bs) => bs.map((b) => b.value));
  assert.ok(segCols.includes('age') && segCols.includes('balance'), segCols.join());
  assert.ok(!segCols.includes('y') && !segCols.includes('duration'), segCols.join());
  await page.getByTestId('seg-k').fill('4');
  await shot(page, 'workbench-3-segment-form', { full: false });
  const modelCard = await page.getByTestId('model-card').elementHandle();
  await runAndWait(() => page.getByTestId('run-segment').click(), 'segment-card');
  // The run took the model over (no refit) and left its card as it was;
  // the listed customers now carry their segment.
  assert.ok(await modelCard.evaluate((n) => n.isConnected), 'the model card is the one shown before the segment run');
  assert.deepEqual(JSON.parse(await page.locator('[data-testid=history-table] tbody tr').first().getAttribute('data-reused')), ['label', 'model']);
  assert.ok(await page.locator('[data-testid=candidates] [data-cell=segment]').count() > 0, 'segments in the list');
  // The naming rules by form: a rule renamed, a word added to a group (the
  // contacts count as activity); the names are the CLI's on the page's recipe.
  const names = () => page.locator('[data-testid=segment-table] tbody tr td:first-child b').allTextContents();
  assert.ok((await names()).includes('稳健长者客户群'), (await names()).join());
  await page.getByTestId('naming-details').locator('summary').click();
  const older = page.locator('[data-testid=naming-rule][data-rule="稳健长者客户群"]');
  await older.locator('input[data-field=name]').fill('银发客户群');
  const activity = page.locator('[data-testid=naming-group][data-group=activity]');
  await activity.fill(`${await activity.inputValue()}, campaign`);
  await shot(page, 'workbench-4a-naming-form', { full: false });
  await runAndWait(() => page.getByTestId('run-segment').click(), 'segment-card');
  const renamed = await names();
  assert.ok(renamed.includes('银发客户群') && renamed.includes('基础活跃客户群') && !renamed.includes('稳健长者客户群'), renamed.join());
  const pageRecipe = JSON.parse(await page.getByTestId('recipe-editor').inputValue());
  assert.ok(pageRecipe.segment.naming_rules.groups.activity.includes('campaign'));
  const cliNames = cliReport(pageRecipe).segment.names.map((n) => n.name);
  assert.deepEqual(renamed, cliNames);
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

  // A cancel on the way keeps every result; the step stays done.
  await page.getByTestId('seg-k').fill('');
  await page.getByTestId('run-segment').click();
  await page.getByTestId('cancel').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=error]').dataset.code === 'cancelled');
  for (const id of ['model-card', 'segment-card', 'basket-card']) assert.equal(await page.getByTestId(id).count(), 1, id);
  assert.equal(await stateOf('segment'), 'done');

  // A form error keeps every result and says what to do.
  await page.locator('[data-testid=basket-columns-column]').evaluateAll((bs) => bs.forEach((b) => { b.checked = false; }));
  await page.getByTestId('run-basket').click();
  await page.waitForFunction(() => /至少勾选两列/.test(document.querySelector('[data-testid=error]').textContent));
  // Beside the step that failed.
  assert.equal(await page.evaluate(() => document.getElementById('basket-step').nextElementSibling.dataset.testid), 'error');
  for (const id of ['model-card', 'segment-card', 'basket-card']) assert.equal(await page.getByTestId(id).count(), 1, id);

  // Every row's score: no id column, so rows are numbered (and the page says so), with decile and segment.
  await page.getByTestId('list-all').check();
  await runAndWait(() => page.getByTestId('train').click(), 'model-card');
  assert.match(await page.getByTestId('model-card').locator('h3', { hasText: '候选客户' }).textContent(), /45211 名/);
  await page.getByTestId('by-row-note').waitFor();
  assert.equal(await page.getByTestId('segment-card').count(), 1, 'segments kept through the re-run');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-candidates').click()]);
  const csv = readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
  assert.equal(csv.length, 45212);
  assert.equal(csv[0], '\ufeff排名 rank,行号 row,概率 probability,十分位 decile,分群 segment,主要原因 reasons,驱动因素 drivers');
  const rowNumbers = new Set(csv.slice(1).map((l) => l.split(',')[1]));
  assert.equal(rowNumbers.size, 45211);
  // Look one customer up by row number: their score, decile and segment.
  const pickedRow = csv[1000].split(',');
  await page.getByTestId('candidates-search').fill(pickedRow[1]);
  const found = page.locator('[data-testid=candidates] tbody tr');
  assert.equal(await found.count(), 1);
  assert.equal(await found.locator('[data-cell=decile]').textContent(), pickedRow[3]);
  assert.equal(await found.locator('[data-cell=segment]').textContent(), pickedRow[4]);
  await shot(page, 'workbench-6-every-row');

  // No serious or critical accessibility violation on the whole flow, in either language.
  assert.deepEqual(await axeViolations(page), [], 'axe (zh)');
  // In English the bar and the forms speak English.
  await page.getByTestId('lang').click();
  assert.deepEqual(await axeViolations(page), [], 'axe (en)');
  assert.match(await page.getByTestId('steps').textContent(), /Data.*Label and features.*Model.*Segments.*Product rules/);
  assert.match(await page.getByTestId('run-segment').textContent(), /Run segmentation/);
  await page.getByTestId('lang').click();

  // The run history restores an earlier run; a saved session reopens after a reload.
  const history = page.locator('[data-testid=history-table] tbody tr');
  assert.equal(await history.count(), 8, 'the file read, three trainings, two segmentations, rules, every row (the cancelled run is not one)');
  const auc = await page.locator('[data-kpi="AUC"] b').textContent();
  const listed = await page.getByTestId('model-card').locator('h3', { hasText: '候选客户' }).textContent();
  // Restore the run before the segmentation: its model, no segments; then the latest again.
  const beforeSegments = history.filter({ hasNotText: '分群' }).filter({ hasText: 'CV' }).first();
  await beforeSegments.getByTestId('restore-run').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=segment-card]'));
  assert.equal(await page.getByTestId('model-card').count(), 1);
  assert.equal(await stateOf('segment'), 'todo');
  await history.nth(1).getByTestId('restore-run').click();
  await page.getByTestId('segment-card').waitFor();
  assert.equal(await page.locator('[data-kpi="AUC"] b').textContent(), auc);

  // Save the session without the data, reload (everything gone), open it: the same results.
  const [sessionFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-session').click()]);
  const sessionPath = await sessionFile.path();
  const session = JSON.parse(readFileSync(sessionPath, 'utf8'));
  assert.equal(session.data, undefined, 'no customer data unless ticked');
  assert.deepEqual(session.files, [FILE]);
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(await page.getByTestId('model-card').count(), 0);
  assert.equal(await page.evaluate(() => localStorage.length <= 1 && !Object.keys(localStorage).some((k) => k !== 'kequn.lang')), true, 'nothing but the language in browser storage');
  await page.getByTestId('session-input').setInputFiles({ name: 'kequn-session.json', mimeType: 'application/json', buffer: readFileSync(sessionPath) });
  await page.getByTestId('segment-card').waitFor();
  for (const id of ['model-card', 'segment-card', 'basket-card']) assert.equal(await page.getByTestId(id).count(), 1, id);
  assert.equal(await page.locator('[data-kpi="AUC"] b').textContent(), auc);
  assert.equal(await page.getByTestId('model-card').locator('h3', { hasText: '候选客户' }).textContent(), listed);
  assert.equal(await role('duration').inputValue(), 'exclude');
  assert.equal(await page.getByTestId('label-rule').inputValue(), 'y == "yes"');
  assert.match(await page.getByTestId('notice').textContent(), /请再次选择数据文件：bank-full\.csv/);
  // The downloads are of the restored run.
  const [book] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-xlsx').click()]);
  assert.ok(readFileSync(await book.path()).length > 10000, 'a workbook');
  await shot(page, 'workbench-7-session-reopened', { full: false });
  // The data chosen again: the session's recipe runs on it, with the same figures.
  await runAndWait(() => page.getByTestId('file-input').setInputFiles(path.join(SHARED, FILE)), 'model-card');
  await page.getByTestId('segment-card').waitFor();
  assert.equal(await page.locator('[data-kpi="AUC"] b').textContent(), auc);
  assert.equal(await page.getByTestId('notice').isVisible(), false);
});

test('plans on the analyst\'s own file: the templates edited to its columns in the plan form', async () => {
  const { page } = s;
  const modelCard = await page.getByTestId('model-card').elementHandle();
  await page.locator('[data-testid=steps] [data-step=plan]').click();
  await page.getByTestId('plan-templates-details').locator('summary').click();
  const editor = page.getByTestId('plan-templates-form');
  await page.waitForFunction(() => document.querySelector('[data-testid=plan-templates-form]').value.length > 100);
  // The shipped retention set names wealth columns: point it at bank-full's.
  const t = JSON.parse(await editor.inputValue());
  t.value.column = 'balance';
  t.value.tiers = [{ name: '高价值', min: 10000 }, { name: '中价值', min: 1000 }, { name: '一般价值', min: -1e12 }];
  t.channels = [{ when: 'balance >= 10000', channel: '网点/客户经理' }, { when: 'campaign >= 3', channel: '电话外呼' }, { channel: '短信' }];
  t.talking_points = t.talking_points.map((p) => p.replace('在{营业部}的', ''));
  await editor.fill(JSON.stringify(t, null, 1));
  await shot(page, 'workbench-9-plan-form', { full: false });
  await runAndWait(() => page.getByTestId('run-plan').click(), 'plan-card');
  assert.ok(await modelCard.evaluate((n) => n.isConnected), 'the model card kept');
  const listed = await page.getByTestId('model-card').locator('h3', { hasText: '候选客户' }).textContent();
  const n = Number(listed.match(/(\d+) 名/)[1]);
  // A plan per listed customer, each named by the row number the list shows.
  assert.match(await page.getByTestId('plan-summary').textContent(), new RegExp(`为风险最高的 ${n} 名客户生成方案`));
  // Each plan names its customer by the row number the list shows (1 to 45,211).
  const who = Number(await page.locator('[data-testid=plans-table] tbody tr').first().locator('td').nth(1).textContent());
  assert.ok(Number.isInteger(who) && who >= 1 && who <= 45211, String(who));
  assert.equal(await stateOf('plan'), 'done');
  await shot(page, 'workbench-10-plans');
});

test('an .xlsx copy of the sample (merged title row, Excel dates) gives the same columns and model as its CSV', async () => {
  const { page } = s;
  const train = async (file) => {
    await page.getByTestId('file-input').setInputFiles(file);
    const name = path.basename(file);
    await page.locator(`[data-testid=table-card][data-file="${name}"] [data-testid=table-meta]`).waitFor();
    const kinds = await page.locator(`[data-testid=table-card][data-file="${name}"] tr[data-column]`).evaluateAll((trs) => trs.map((tr) => `${tr.dataset.column}:${tr.querySelector('[data-kind]').dataset.kind}`));
    await page.getByTestId('label-rule').fill('asset_level == "100万+"');
    await page.getByTestId('label-id').fill('user_id');
    await page.getByTestId('list-all').uncheck();
    await runAndWait(() => page.getByTestId('train').click(), 'model-card');
    const kpis = await page.locator('[data-testid=model-card] [data-kpi] b').allTextContents();
    const first = await page.locator('[data-testid=candidates] tbody tr').first().getAttribute('data-id');
    return { kinds, kpis, first, meta: await page.locator(`[data-testid=table-card][data-file="${name}"] [data-testid=table-meta]`).textContent() };
  };
  const csv = await train(path.join(ROOT, 'data/samples/customers.csv'));
  const xlsx = await train(path.join(ROOT, 'tests/fixtures/customers.xlsx'));
  assert.match(xlsx.meta, /^300 行 × 31 列/);
  assert.deepEqual(xlsx.kinds, csv.kinds);
  assert.deepEqual(xlsx.kpis, csv.kpis);
  assert.equal(xlsx.first, csv.first);
  await shot(page, 'workbench-8-xlsx', { full: false });
});

test('the built-in sample goes straight to a trained model, scrolled to and focused', async () => {
  const { page } = s;
  await page.getByTestId('sample-choice').selectOption('');
  await runAndWait(() => page.getByTestId('load-sample').click(), 'model-card');
  assert.equal(await page.getByTestId('label-rule').inputValue(), 'asset_level == "100万+"');
  assert.equal(await page.getByTestId('label-id').inputValue(), 'user_id');
  assert.equal(await page.locator('[data-testid=candidates] tbody tr').count(), 20);
  assert.ok(await page.getByTestId('model-card').evaluate((c) => c.contains(document.activeElement)), 'focus on the model card');
  assert.equal(await stateOf('model'), 'done');
  // A customer looked up by name: their row, with the name the file gives.
  const name = await page.locator('[data-testid=candidates] tbody tr').nth(3).locator('[data-cell=name]').textContent();
  const id = await page.locator('[data-testid=candidates] tbody tr').nth(3).getAttribute('data-id');
  await page.getByTestId('candidates-search').fill(name);
  const found = page.locator('[data-testid=candidates] tbody tr');
  assert.ok(await found.count() >= 1);
  assert.ok((await found.evaluateAll((trs) => trs.map((tr) => tr.dataset.id))).includes(id), `${name} → ${id}`);
  await page.getByTestId('candidates-search').fill('');
  // Display names from the recipe's `labels`: the reasons speak of 固收资产, not fixed_income_value.
  const reasons = () => page.locator('[data-testid=candidates] tbody tr td.summary').allTextContents();
  assert.ok((await reasons()).some((r) => r.includes('fixed_income_value')));
  // Set in the column table: the recipe editor shows it; Train draws the words anew.
  await page.locator('tr[data-column=fixed_income_value] [data-testid=display-name]').fill('固收资产');
  await page.locator('tr[data-column=fixed_income_value] [data-testid=display-name]').press('Tab');
  assert.deepEqual(JSON.parse(await page.getByTestId('recipe-editor').inputValue()).labels, { fixed_income_value: '固收资产' });
  await runAndWait(() => page.getByTestId('train').click(), 'model-card');
  const shownReasons = await reasons();
  assert.ok(shownReasons.some((r) => r.includes('固收资产')) && !shownReasons.some((r) => r.includes('fixed_income_value')), shownReasons.slice(0, 3).join(' | '));
});

test('product rules from a basket file chosen in the rules form; the model is kept', async () => {
  const { page } = s;
  const modelCard = await page.getByTestId('model-card').elementHandle();
  await page.locator('[data-testid=steps] [data-step=basket]').click();
  await page.getByTestId('basket-support').fill('0.5');
  await page.getByTestId('basket-confidence').fill('0.9');
  // milk and bread always together (3 of 5 baskets), eggs alone: two rules.
  const lines = 'milk,bread\nmilk,bread\nbread,milk\neggs\neggs\n';
  await runAndWait(() => page.getByTestId('basket-file').setInputFiles({ name: 'baskets.txt', mimeType: 'text/plain', buffer: Buffer.from(lines) }), 'basket-card');
  const rules = await page.locator('[data-testid=rules] tbody tr').allTextContents();
  assert.equal(rules.length, 2, rules.join(' | '));
  assert.ok(rules.some((r) => /milk.*bread/.test(r)) && rules.some((r) => /bread.*milk/.test(r)), rules.join(' | '));
  assert.equal(JSON.parse(await page.getByTestId('recipe-editor').inputValue()).basket.file, 'baskets.txt');
  assert.equal(await page.getByTestId('basket-file-name').textContent(), 'baskets.txt');
  assert.ok(await modelCard.evaluate((n) => n.isConnected), 'the model card kept');
});
