// Logistic-regression benchmark (not a test): the same recipe on the same
// 1,000,000 x 30 matrix natively and in headless Chromium (stage timings from
// recipe::run's progress), beside scikit-learn's fit time in the same run.
//   node tests/bench/logistic.mjs [rows]        (make bench runs it)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, linkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, ROOT } from '../e2e/harness.mjs';

const rows = Number(process.argv[2] || 1000000);
const bin = path.join(ROOT, 'target/release/kequn');
const dir = path.join(ROOT, 'bench-data', `logit30_${rows}`);
const csv = path.join(dir, 'logit30.csv');
if (!existsSync(csv)) execFileSync(bin, ['synth', 'scenario', 'logit30', '--rows', String(rows), '--seed', '3', '--out', dir], { stdio: 'inherit' });
const recipe = path.join(dir, 'logit30.json');
writeFileSync(recipe, JSON.stringify({ name: `logistic ${rows} x 30`, inputs: [{ file: 'logit30.csv' }],
  label: { rule: 'y == 1' }, model: { kind: 'logistic', test_share: 0.3, seed: 1 } }));

const stageOf = (lines, name) => lines.filter(([s]) => s === name).reduce((a, [, t]) => a + t, 0);

console.log('== native (kequn run --timings) ==');
const native = spawnSync(bin, ['run', recipe, '--timings'], { encoding: 'utf8' });
const nativeStages = [...native.stderr.matchAll(/timing: (.+): ([\d.]+) s/g)].map((m) => [m[1], Number(m[2]) * 1000]);
for (const [s, ms] of nativeStages) console.log(`  ${s}: ${ms.toFixed(0)} ms`);

console.log('== scikit-learn ==');
const py = spawnSync('python3', [path.join(ROOT, 'tests/bench/logistic_sklearn.py'), csv], { encoding: 'utf8' });
const skl = py.status === 0 ? Number(py.stdout.match(/: ([\d.]+) s/)[1]) * 1000 : null;
console.log(py.status === 0 ? `  ${py.stdout.trim()}` : `  skipped (pip install scikit-learn pandas): ${py.stderr.trim().split('\n').pop()}`);

const served = path.join(ROOT, 'www', 'bench-data');
mkdirSync(served, { recursive: true });
for (const f of ['logit30.csv', 'logit30.json']) {
  rmSync(path.join(served, f), { force: true });
  linkSync(path.join(dir, f), path.join(served, f));
}
const server = await startServer();
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}bench.html?recipe=bench-data/logit30.json`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 900000 });
  const b = await page.evaluate(() => window.__bench);
  if (b.error) throw new Error(b.error);
  console.log('== headless Chromium (wasm) ==');
  for (const [s, ms] of b.stages) console.log(`  ${s}: ${ms.toFixed(0)} ms`);
  const wasmModel = stageOf(b.stages, 'model');
  const nativeModel = stageOf(nativeStages, 'model');
  console.log(`model stage (fit on 70% + test metrics): native ${nativeModel.toFixed(0)} ms, wasm ${wasmModel.toFixed(0)} ms`);
  if (skl) console.log(`ratio to scikit-learn fit (${skl.toFixed(0)} ms): native ${(nativeModel / skl).toFixed(2)}x, wasm ${(wasmModel / skl).toFixed(2)}x`);
} finally {
  await browser.close();
  server.stop();
  for (const f of ['logit30.csv', 'logit30.json']) rmSync(path.join(served, f), { force: true });
}
