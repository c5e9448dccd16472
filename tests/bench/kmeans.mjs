// K-Means benchmark (not a test): k = 6 on ROWS x 20 numbers, kequn native
// (CLI) and wasm in headless Chromium beside scikit-learn (same data, same
// iteration cap) and npm ml-kmeans in the same browser; then the K scan
// (k = 2..8, silhouette on a 5,000-row sample) natively, in wasm and with
// scikit-learn. Inertias side by side so that no speed comes from doing less.
//   node tests/bench/kmeans.mjs [rows]     (make bench runs it)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeSync, closeSync, linkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, ROOT } from '../e2e/harness.mjs';

const rows = Number(process.argv[2] || 1000000);
const COLS = 20;
const K = 6;
const ITERATIONS = 20;
const bin = path.join(ROOT, 'target/release/kequn');
const dir = path.join(ROOT, 'bench-data', `kmeans_${rows}`);
mkdirSync(dir, { recursive: true });

// Six overlapping Gaussian blobs (seeded), written as CSV for kequn and as
// raw float64 for scikit-learn and ml-kmeans: the same numbers.
const csvPath = path.join(dir, 'blobs.csv');
const f64Path = path.join(dir, 'blobs.f64');
if (!existsSync(f64Path)) {
  let s = 42;
  const uniform = () => { s = (s + 0x6d2b79f5) | 0; let t = Math.imul(s ^ (s >>> 15), 1 | s); t ^= t + Math.imul(t ^ (t >>> 7), 61 | t); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const centres = Array.from({ length: K }, () => Array.from({ length: COLS }, () => 1.5 * normal()));
  const csv = openSync(csvPath, 'w');
  const raw = openSync(f64Path, 'w');
  writeSync(csv, `${Array.from({ length: COLS }, (_, j) => `x${j + 1}`).join(',')}\n`);
  const CHUNK = 10000;
  for (let r0 = 0; r0 < rows; r0 += CHUNK) {
    const n = Math.min(CHUNK, rows - r0);
    const buf = new Float64Array(n * COLS);
    const lines = [];
    for (let i = 0; i < n; i++) {
      const c = centres[Math.floor(uniform() * K)];
      for (let j = 0; j < COLS; j++) buf[i * COLS + j] = Number((c[j] + normal()).toFixed(4));
      lines.push(Array.from(buf.subarray(i * COLS, (i + 1) * COLS)).join(','));
    }
    writeSync(csv, `${lines.join('\n')}\n`);
    writeSync(raw, new Uint8Array(buf.buffer));
  }
  closeSync(csv);
  closeSync(raw);
}

const recipes = {
  'fit.json': { name: 'kmeans fit', inputs: [{ file: 'blobs.csv' }],
    segment: { method: 'kmeans', k: K, n_init: 1, seed: 1, max_iterations: ITERATIONS, tolerance: 1e-12 } },
  'scan.json': { name: 'kmeans scan', inputs: [{ file: 'blobs.csv' }],
    segment: { method: 'kmeans', k_range: [2, 8], n_init: 3, seed: 1 } },
};
for (const [name, r] of Object.entries(recipes)) writeFileSync(path.join(dir, name), JSON.stringify(r));

const stages = (stderr) => [...stderr.matchAll(/timing: (.+): ([\d.]+) s/g)].map((m) => [m[1], Number(m[2]) * 1000]);
const stage = (list, name) => list.filter(([s]) => s === name).reduce((a, [, t]) => a + t, 0);
const native = (recipe) => {
  const r = spawnSync(bin, ['run', '--json', '--timings', path.join(dir, recipe)], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(r.stderr);
  return { stages: stages(r.stderr), segment: JSON.parse(r.stdout).segment };
};

console.log(`== K-Means on ${rows} x ${COLS} ==`);
const nFit = native('fit.json');
const nScan = native('scan.json');
const py = spawnSync('python3', [path.join(ROOT, 'tests/bench/kmeans_sklearn.py'), f64Path, String(rows), String(COLS), String(ITERATIONS)], { encoding: 'utf8', maxBuffer: 1 << 26 });
const sk = py.status === 0 ? JSON.parse(py.stdout.trim().split('\n').pop()) : null;
if (!sk) console.log(`  scikit-learn skipped (pip install scikit-learn): ${py.stderr.trim().split('\n').pop()}`);

execFileSync('npx', ['esbuild', path.join(ROOT, 'tests/bench/ml-kmeans-entry.mjs'), '--bundle', '--format=esm', '--minify',
  `--outfile=${path.join(ROOT, 'www/vendor/ml-kmeans.mjs')}`], { stdio: 'inherit' });
const served = path.join(ROOT, 'www', 'bench-data');
rmSync(served, { recursive: true, force: true });
mkdirSync(served, { recursive: true });
for (const f of ['blobs.csv', 'blobs.f64', 'fit.json', 'scan.json']) linkSync(path.join(dir, f), path.join(served, f));
const server = await startServer();
const browser = await launch();
const inPage = async (query) => {
  const page = await browser.newPage();
  await page.goto(`${server.url}bench.html?${query}`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 3600000 });
  const b = await page.evaluate(() => window.__bench);
  await page.close();
  if (b.error) throw new Error(b.error);
  return b;
};
let wFit, wScan, ml;
try {
  wFit = await inPage('recipe=bench-data/fit.json');
  wScan = await inPage('recipe=bench-data/scan.json');
  ml = await inPage(`mlkmeans=bench-data/blobs.f64&rows=${rows}&cols=${COLS}&k=${K}&iterations=${ITERATIONS}`);
} finally {
  await browser.close();
  server.stop();
  rmSync(served, { recursive: true, force: true });
}

const ms = (x) => (x == null ? '-' : `${x.toFixed(0)} ms`);
const ratio = (x, peer) => (peer ? `${(x / peer).toFixed(2)}x` : '-');
for (const [s, t] of nFit.stages) console.log(`  native fit ${s}: ${ms(t)}`);
for (const [s, t] of wFit.stages) console.log(`  wasm fit ${s}: ${ms(t)}`);
const skFit = sk && sk.fit_s * 1000;
const fitN = stage(nFit.stages, 'kmeans'), fitW = stage(wFit.stages, 'kmeans');
console.log(`  fit k=${K} (k-means++ and at most ${ITERATIONS} iterations): native ${ms(fitN)} (${ratio(fitN, skFit)} scikit-learn), wasm ${ms(fitW)} (${ratio(fitW, skFit)}), scikit-learn ${ms(skFit)} (${sk ? sk.n_iter : '-'} iterations), ml-kmeans in the same browser ${ms(ml.ms)} (${ml.iterations} iterations; wasm ${ratio(fitW, ml.ms)} of it)`);
console.log(`  inertia: native ${nFit.segment.inertia.toFixed(0)}, wasm ${wFit.inertia.toFixed(0)}, scikit-learn ${sk ? sk.inertia.toFixed(0) : '-'}, ml-kmeans ${ml.inertia.toFixed(0)}`);
for (const [s, t] of nScan.stages) console.log(`  native scan ${s}: ${ms(t)}`);
for (const [s, t] of wScan.stages) console.log(`  wasm scan ${s}: ${ms(t)}`);
const skScan = sk && sk.scan_s * 1000;
const scanN = stage(nScan.stages, 'k scan'), scanW = stage(wScan.stages, 'k scan');
console.log(`  K scan 2..8 (n_init 3; silhouette on 5,000 rows; kequn adds the gap statistic): native ${ms(scanN)} (${ratio(scanN, skScan)} scikit-learn), wasm ${ms(scanW)} (${ratio(scanW, skScan)}), scikit-learn ${ms(skScan)}`);
console.log(`  suggested K: native ${nScan.segment.k}, wasm ${wScan.k}`);
if (sk) {
  for (const s of sk.scan) {
    const ours = nScan.segment.selection.scores.find((x) => x.k === s.k);
    console.log(`  k=${s.k}: inertia kequn ${ours.inertia.toFixed(0)} scikit-learn ${s.inertia.toFixed(0)} (${(100 * (ours.inertia / s.inertia - 1)).toFixed(3)}%); silhouette ${ours.silhouette.toFixed(3)} / ${s.silhouette.toFixed(3)}`);
  }
}
