// End-to-end: accessibility. axe-core (WCAG 2.1 A/AA) finds no serious or
// critical violation on the first view, on every step of the scenarios and
// on the step forms, in Chinese and in English; the page has one h1 and
// its landmarks, a skip link, and the keyboard reaches the file picker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedPage, loadSample, axeViolations } from './harness.mjs';

const s = servedPage({ consoleClean: true });

async function clean(where) {
  const v = await axeViolations(s.page);
  assert.deepEqual(v, [], `${where}: ${v.join('\n')}`);
}

test('the first view: one h1, landmarks, a skip link first, the file picker by keyboard, no violations', async () => {
  const { page } = s;
  assert.equal(await page.locator('h1').count(), 1);
  for (const sel of ['header', 'main', 'nav', 'footer']) assert.equal(await page.locator(sel).count(), 1, sel);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'skip-link');
  // The file picker is a few Tabs away (it is a real input, hidden only to the eye).
  let stops = 1;
  while (stops < 15 && await page.evaluate(() => document.activeElement.id) !== 'file-input') { await page.keyboard.press('Tab'); stops += 1; }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'file-input', `file input not reached in ${stops} Tabs`);
  await clean('first view (zh)');
  await page.getByTestId('lang').click();
  await clean('first view (en)');
  await page.getByTestId('lang').click();
});

for (const [scenario, ready] of [['segmentation', 'segment-card'], ['wealth', 'model-card'], ['retail_cross_sell', 'basket-card'], ['securities_retention', 'plan-card']]) {
  test(`${scenario}: every card and the step forms, in both languages`, async () => {
    const { page } = s;
    await loadSample(page, scenario, page.getByTestId(ready));
    await clean(`${scenario} (zh)`);
    await page.getByTestId('lang').click();
    await clean(`${scenario} (en)`);
    await page.getByTestId('lang').click();
  });
}

test('the skip link passes the column tables', async () => {
  const { page } = s;
  await page.getByTestId('skip-link').focus();
  await page.keyboard.press('Enter');
  const at = await page.evaluate(() => document.activeElement.dataset.testid || document.activeElement.id);
  assert.notEqual(at, 'table-card');
  assert.ok(await page.evaluate(() => document.getElementById('results').contains(document.activeElement)), `focus on ${at}`);
});
