// End-to-end: the habits of a good office tool — bad files get clear errors
// and the page stays usable, the keyboard reaches the charts, and the page
// reads at 1366×768.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { servedPage, shot, loadSample, readingOptions, ROOT, OUT, pickScenario } from './harness.mjs';

const s = servedPage();

// The box may still show the previous file's error: wait for this file's.
async function errorFor(file) {
  await s.page.getByTestId('file-input').setInputFiles(file);
  const name = path.basename(file);
  await s.page.waitForFunction((n) => {
    const err = document.querySelector('[data-testid=error]');
    return err && !err.hidden && err.textContent.includes(n);
  }, name);
  return s.page.getByTestId('error').textContent();
}

test('an empty file, a header without rows and a wrong encoding each get their own message', async () => {
  const empty = path.join(OUT, 'empty.csv');
  writeFileSync(empty, '');
  let text = await errorFor(empty);
  assert.match(text, /empty\.csv：文件是空的/);
  assert.match(text, /the file is empty/);
  const header = path.join(OUT, 'header_only.csv');
  writeFileSync(header, 'user_id,age\n');
  text = await errorFor(header);
  assert.match(text, /header_only\.csv：文件只有表头，没有数据行/);
  // A GBK export read as UTF-8 on purpose: the line and what to choose.
  await readingOptions(s.page);
  await s.page.getByTestId('encoding').selectOption('utf-8');
  text = await errorFor(path.join(ROOT, 'data/samples/customers_gbk.csv'));
  assert.match(text, /第 2 行的字节不是有效的 UTF-8 编码/);
  assert.match(text, /GBK/);
  await shot(s.page, 'error-encoding');
  // The error's button leads to the control that fixes it.
  await s.page.getByTestId('options').evaluate((d) => { d.open = false; });
  await s.page.getByTestId('open-option').click();
  assert.equal(await s.page.evaluate(() => document.activeElement.dataset.testid), 'encoding');
  // Auto again: the same file loads.
  await s.page.getByTestId('encoding').selectOption('auto');
  await s.page.getByTestId('rerun').click();
  await s.page.locator('[data-testid=table-card][data-file="customers_gbk.csv"]').waitFor();
  assert.equal(await s.page.getByTestId('error').isHidden(), true);
});

test('the keyboard reaches a column and opens its chart', async () => {
  await s.page.getByTestId('load-sample').click();
  const row = s.page.locator('[data-testid=table-card][data-file="customers.csv"] tr[data-column="age"]');
  await row.waitFor();
  await row.focus();
  assert.equal(await s.page.evaluate(() => document.activeElement.dataset.column), 'age');
  await s.page.keyboard.press('Enter');
  await s.page.locator('#chart canvas').waitFor();
  assert.match(await s.page.locator('#chart-title').textContent(), /customers\.csv · age/);
});

test('a trap in the wasm core is reported in both languages, and a new worker carries on', async () => {
  await s.page.evaluate(() => globalThis.kequnTest.trap());
  const err = s.page.getByTestId('error');
  await err.waitFor({ state: 'visible' });
  const text = await err.textContent();
  assert.match(text, /内部错误：.*unreachable/);
  assert.match(text, /Internal error: .*unreachable/);
  // The previous test's card is still shown: wait for the new run's.
  await loadSample(s.page, undefined, s.page.locator('[data-testid=table-card][data-file="customers.csv"]'));
  assert.equal(await err.isHidden(), true);
});

test('a file past the memory the page can hold is refused before starting, with the figures, and the results stay', async () => {
  const card = s.page.locator('[data-testid=table-card][data-file="customers.csv"]');
  await loadSample(s.page, undefined, card);
  const big = path.join(OUT, 'big.csv');
  const rows = ['id,a,b,c,d,e,f,g,h,segment'];
  for (let i = 0; i < 20000; i++) rows.push(`${i},${i % 7},${i * 3},${i % 11},${i / 4},${i % 5},${i % 3},${i % 13},${i % 17},s${i % 4}`);
  writeFileSync(big, rows.join('\n') + '\n');
  // The page's ceiling lowered to 1 MiB: the estimate (the file plus its cells) is past it.
  await s.page.evaluate(() => { globalThis.kequnTest.memoryLimit = 2 ** 20; });
  const text = await errorFor(big);
  assert.match(text, /big\.csv：约 \d+ KiB、估计 [\d,]+ 行 × 10 列，分析约需 \d+ [KM]iB 内存，超出页面可用的 1 MiB/);
  assert.match(text, /an estimated [\d,]+ rows × 10 columns; the analysis would need about \d+ [KM]iB/);
  assert.match(text, /kequn run/);
  assert.equal(await s.page.getByTestId('error').getAttribute('data-code'), 'too_big');
  // Nothing was started: the sample's results are still shown.
  assert.equal(await card.count(), 1);
  await shot(s.page, 'error-too-big');
  await s.page.evaluate(() => { globalThis.kequnTest.memoryLimit = undefined; });
});

test('running out of memory part-way is reported as such, the results stay, and a fresh worker carries on', async () => {
  const card = s.page.locator('[data-testid=table-card][data-file="customers.csv"]');
  await loadSample(s.page, undefined, card);
  // The core's allocator ceiling lowered to what it holds now plus 64 KiB: the re-run cannot stage and read the files.
  await s.page.evaluate(() => globalThis.kequnTest.memoryCap(64 * 1024, true));
  await readingOptions(s.page);
  await s.page.getByTestId('rerun').click();
  const err = s.page.getByTestId('error');
  await err.waitFor({ state: 'visible' });
  const text = await err.textContent();
  assert.equal(await err.getAttribute('data-code'), 'out_of_memory');
  assert.match(text, /内存不足：在“[^”]+”阶段（已完成 \d+%）还需 \d+ [KMG]iB，当时已用 \d+ [KMG]iB/);
  assert.match(text, /Out of memory at stage "[^"]+" \(\d+% done\)/);
  assert.match(text, /kequn/);
  // A re-run of the same files keeps their results on screen.
  assert.equal(await card.count(), 1);
  await shot(s.page, 'error-out-of-memory');
  // The trapped worker was replaced (the new one has no ceiling): the sample loads again.
  await loadSample(s.page, undefined, card);
  assert.equal(await err.isHidden(), true);
});

test('at 1366×768 the wealth scenario fits the width: no sideways scrolling', async () => {
  await s.page.setViewportSize({ width: 1366, height: 768 });
  await pickScenario(s.page, 'wealth');
  await s.page.getByTestId('model-card').waitFor();
  await s.page.locator('[data-testid=roc] canvas').waitFor();
  const widths = await s.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `page ${widths[0]} px wide in a ${widths[1]} px window`);
  await s.page.screenshot({ path: path.join(OUT, 'wealth-1366x768.png') });
  await s.page.getByTestId('sample-choice').selectOption('');
});
