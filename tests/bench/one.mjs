// One recipe through the page's worker in headless Chromium, its stages and
// the worker's console printed: the quick loop for speed work on one step.
//   node tests/bench/one.mjs DIR RECIPE.json [WORKERS]   (DIR holds the recipe's files)
// RSS=1 also prints the tab's resident memory every 250 ms (where its peak is).
import { mkdirSync, linkSync, rmSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, ROOT } from '../e2e/harness.mjs';
import { rendererPeakMiB, rendererNowMiB } from './memory.mjs';

const [dir, recipe, workers] = process.argv.slice(2);
const rss = [];
const t0 = Date.now();
const served = path.join(ROOT, 'www', 'bench-data', 'one');
rmSync(served, { recursive: true, force: true });
mkdirSync(served, { recursive: true });
for (const f of readdirSync(dir)) linkSync(path.join(dir, f), path.join(served, f));
const server = await startServer();
const browser = await launch();
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.log(`  console: ${m.text()}`));
  page.on('worker', (w) => w.on('console', (m) => console.log(`  worker: ${m.text()}`)));
  const sampler = process.env.RSS ? setInterval(() => rss.push([Date.now() - t0, rendererNowMiB()]), 250) : null;
  await page.goto(`${server.url}bench.html?worker=bench-data/one/${recipe}${workers ? `&workers=${workers}` : ''}${process.env.WARM ? '&warm=1' : ''}${process.env.WARMED ? '&warmed=1' : ''}${process.env.POOL_MIN ? `&pool_min=${process.env.POOL_MIN}` : ''}`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 3600000 });
  const b = await page.evaluate(() => window.__bench);
  if (sampler) {
    clearInterval(sampler);
    console.log(`tab resident (ms from opening: MiB): ${rss.map(([t, m]) => `${t}: ${m.toFixed(0)}`).join(', ')}`);
  }
  if (b.error) throw new Error(b.error);
  // With a pool, stages of files loading side by side interleave: each span
  // printed with when it began.
  let at = 0;
  for (const [s, ms] of b.stages) {
    console.log(`${s}: ${ms.toFixed(0)} ms (from ${at.toFixed(0)} ms)${b.peak_mib && s in b.peak_mib ? `, heap peak ${b.peak_mib[s]} MiB` : ''}${b.linear_mib && s in b.linear_mib ? `, wasm ${b.linear_mib[s]} MiB` : ''}`);
    at += ms;
  }
  if (b.fit_seconds) console.log(`fit: ${b.fit_seconds.map(([k, s]) => `${k} ${(s * 1000).toFixed(0)} ms`).join(', ')}`);
  console.log(`workers ${b.workers}, threads ${b.threads}${b.threads_failed ? ` (threaded build failed: ${b.threads_failed})` : ''}, total ${b.total_ms.toFixed(0)} ms, XLSX ${b.xlsx_ms.toFixed(0)} ms (${(b.xlsx_bytes / 1e6).toFixed(1)} MB), wasm memory ${(b.wasm_memory / 1048576).toFixed(0)} MiB, tab (renderer) peak ${rendererPeakMiB().toFixed(0)} MiB`);
} finally {
  await browser.close();
  server.stop();
  rmSync(served, { recursive: true, force: true });
}
