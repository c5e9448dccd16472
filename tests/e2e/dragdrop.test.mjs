// End-to-end: files dropped onto the page are read as if chosen; a button
// that cannot be used looks disabled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { servedPage, shot, ROOT } from './harness.mjs';

const s = servedPage({ consoleClean: true });

test('a CSV dropped onto the page is loaded and profiled', async () => {
  const { page } = s;
  const text = readFileSync(path.join(ROOT, 'data/samples/customers.csv'), 'utf8');
  // Disabled before anything is loaded, and it shows.
  const xlsx = page.getByTestId('download-xlsx');
  if (await xlsx.count()) {
    assert.ok(await xlsx.isDisabled());
    assert.notEqual(await xlsx.evaluate((b) => getComputedStyle(b).cursor), 'pointer');
  }
  await page.evaluate(({ name, text }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: 'text/csv' }));
    document.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    if (!document.body.classList.contains('dropping')) throw new Error('no drop cue while dragging');
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { name: 'dropped.csv', text });
  const meta = page.locator('[data-testid=table-card][data-file="dropped.csv"] [data-testid=table-meta]');
  await meta.waitFor();
  assert.match(await meta.textContent(), /^300 /);
  assert.equal(await page.evaluate(() => document.body.classList.contains('dropping')), false);
  await shot(page, 'dropped-file');
});

test('a double click on Train gives one model and no "cancelled" box', async () => {
  const { page } = s;
  await page.getByTestId('label-rule').fill('asset_level == "100万+"');
  await page.getByTestId('label-id').fill('user_id');
  await page.getByTestId('train').dblclick();
  await page.getByTestId('model-card').waitFor();
  await page.waitForFunction(() => document.getElementById('progress').hidden);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
  assert.equal(await page.getByTestId('model-card').count(), 1);
  // The profile of the dropped file is still there.
  assert.equal(await page.locator('[data-testid=table-card][data-file="dropped.csv"]').count(), 1);
});
