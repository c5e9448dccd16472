// End-to-end: the page starts with the core alone (www/pkg or
// www/pkg-threads); the office build (www/pkg-office: the workbook reader,
// restored runs, downloads made from a report's JSON) is fetched only when
// a file is a workbook, and a run on a workbook is held there, downloads
// included, until the next run on text files goes back to the core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { servedPage, shot, ROOT } from './harness.mjs';

const s = servedPage({ consoleClean: true });
const officeFetched = () => [...new Set(s.requests)].filter((u) => u.includes('/pkg-office/'));
const metaOf = (file) => s.page.locator(`[data-testid=table-card][data-file="${file}"] [data-testid=table-meta]`);

async function trainAndDownload(file) {
  const { page } = s;
  await page.getByTestId('file-input').setInputFiles(file);
  const name = path.basename(file);
  await metaOf(name).waitFor();
  await page.getByTestId('label-rule').fill('asset_level == "100万+"');
  await page.getByTestId('label-id').fill('user_id');
  const old = await page.getByTestId('model-card').count() ? await page.getByTestId('model-card').elementHandle() : null;
  await page.getByTestId('train').click();
  if (old) await page.waitForFunction((e) => !e.isConnected, old, { timeout: 120000 });
  await page.getByTestId('model-card').waitFor({ timeout: 120000 });
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-xlsx').click()]);
  const book = readFileSync(await dl.path());
  assert.equal(book.subarray(0, 2).toString(), 'PK');
  return { meta: await metaOf(name).textContent(), book };
}

test('text files run in the core alone; a workbook fetches the office build, runs and downloads there', async () => {
  const csv = await trainAndDownload(path.join(ROOT, 'data/samples/customers.csv'));
  assert.match(csv.meta, /^300 行 × 31 列/);
  assert.deepEqual(officeFetched(), [], 'a CSV run and its workbook download need no office build');
  const xlsx = await trainAndDownload(path.join(ROOT, 'tests/fixtures/customers.xlsx'));
  assert.match(xlsx.meta, /^300 行 × 31 列/);
  assert.ok(officeFetched().some((u) => u.endsWith('/pkg-office/kequn_bg.wasm')), officeFetched().join(', '));
  // The same table and model: the same sheets in the downloaded workbook
  // (it is written by whichever build holds the run).
  const sheets = (b) => b.toString('latin1').match(/xl\/worksheets\/sheet\d+\.xml/g).sort();
  assert.deepEqual([...new Set(sheets(xlsx.book))], [...new Set(sheets(csv.book))]);
  // Back on a text file, the run and its download are the core's again.
  const again = await trainAndDownload(path.join(ROOT, 'data/samples/customers.csv'));
  assert.deepEqual([...new Set(sheets(again.book))], [...new Set(sheets(csv.book))]);
  await shot(s.page, 'office-xlsx', { full: false });
});
