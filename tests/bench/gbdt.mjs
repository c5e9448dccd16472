// Gradient boosting beside LightGBM (a benchmark, not a test; part of
// `make bench-compare`): the same generated matrix (ROWS × 30, default
// 1,000,000), 100 trees of 31 leaves; kequn natively and in wasm through
// the page's worker, each on every core (the table says how many threads),
// LightGBM 4.x single-threaded. Fit time,
// test AUC, and TreeSHAP of every row beside pred_contrib; ratios in the
// same run.
//   node tests/bench/gbdt.mjs [ROWS]        (GBDT_FIT_ONLY=1: the fits alone, no TreeSHAP)
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../e2e/harness.mjs';
import { peerPython, inWorker } from './matrix.mjs';

const ROWS = Number(process.argv[2] || 1000000), COLS = 30, TEST = Math.round(ROWS * 0.2);
const SHAP = !process.env.GBDT_FIT_ONLY;
const PY = peerPython('import lightgbm, sklearn', ['lightgbm', 'scikit-learn']);
const dir = path.join(ROOT, 'bench-data', 'gbdt', String(ROWS));
mkdirSync(dir, { recursive: true });
const peer = JSON.parse(execFileSync(PY, [path.join(ROOT, 'tests/bench/gbdt_peer.py'), dir, String(ROWS), String(COLS), String(TEST), ...(SHAP ? [] : ['noshap'])], { encoding: 'utf8' }));
console.log(`LightGBM ${peer.lightgbm} done`);
const native = JSON.parse(execFileSync(path.join(ROOT, 'target/release/kequn'),
  ['bench-gbdt', '--x', path.join(dir, 'x.f64'), '--y', path.join(dir, 'y.u8'), '--cols', String(COLS), '--test-rows', String(TEST), ...(SHAP ? [] : ['--no-shap'])], { encoding: 'utf8' }));
console.log('native done');

const wasm = await inWorker(dir, 'gbdt', `cols=${COLS}&test=${TEST}${SHAP ? '' : '&shap=0'}`);

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const r = (a, b) => `${(a / b).toFixed(2)}×`;
console.log(`\n## Gradient boosting, ${ROWS.toLocaleString('en-US')} rows × ${COLS} features, 100 trees, 31 leaves (${TEST.toLocaleString('en-US')} test rows)\n`);
console.log(`| step | kequn native (${native.threads} threads) | kequn wasm (worker, ${wasm.threads} threads) | LightGBM (1 thread) | native ÷ LightGBM | wasm ÷ LightGBM | test AUC native / wasm / LightGBM |`);
console.log('|---|---:|---:|---:|---:|---:|---|');
console.log(`| fit | ${s(native.fit_ms)} | ${s(wasm.fit_ms)} | ${s(peer.fit_ms)} | ${r(native.fit_ms, peer.fit_ms)} | ${r(wasm.fit_ms, peer.fit_ms)} | ${native.test_auc.toFixed(4)} / ${wasm.test_auc.toFixed(4)} / ${peer.test_auc.toFixed(4)} |`);
if (SHAP) console.log(`| TreeSHAP, all ${ROWS.toLocaleString('en-US')} rows | ${s(native.shap_ms)} | ${s(wasm.shap_ms)} | ${s(peer.shap_ms)} | ${r(native.shap_ms, peer.shap_ms)} | ${r(wasm.shap_ms, peer.shap_ms)} | max |Σφ − raw| ${native.shap_sum_error.toExponential(1)} / ${wasm.shap_sum_error.toExponential(1)} |`);
const mib = (b) => (b == null ? '–' : `${(b / 2 ** 20).toFixed(1)} MiB`);
console.log(`| memory added at the peak (wasm's counted allocator, over the ${mib(ROWS * COLS * 8)} matrix) | | fit ${mib(wasm.fit_peak_added)} · ${SHAP ? `TreeSHAP ${mib(wasm.shap_peak_added)}` : ''} | | | | |`);
