// Scorecard binning beside optbinning (a benchmark, not a test; part of
// `make bench-compare`): the same generated matrix (ROWS × 30, default
// 1,000,000; 25 numeric characteristics, 5 categorical), every column
// binned with the default settings (cart pre-binning into 20, optimal
// merge, auto monotonic trend) and kept at IV ≥ 0.02; kequn natively (one
// thread), kequn wasm in the page's worker, optbinning's BinningProcess.
// Times, ratios in the same run, and the IV agreement per characteristic.
//   node tests/bench/binning.mjs [ROWS]
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../e2e/harness.mjs';
import { peerPython, inWorker } from './matrix.mjs';

const ROWS = Number(process.argv[2] || 1000000), COLS = 30, CATEGORICAL = '25,26,27,28,29';
const PY = peerPython('import optbinning, pandas', ['optbinning', 'pandas']);
const dir = path.join(ROOT, 'bench-data', 'binning', String(ROWS));
mkdirSync(dir, { recursive: true });
const peer = JSON.parse(execFileSync(PY, [path.join(ROOT, 'tests/bench/binning_peer.py'), dir, String(ROWS)], { encoding: 'utf8', maxBuffer: 1 << 24 }));
console.log(`optbinning ${peer.optbinning} done`);
const native = JSON.parse(execFileSync(path.join(ROOT, 'target/release/kequn'),
  ['bench-binning', '--x', path.join(dir, 'x.f64'), '--y', path.join(dir, 'y.u8'), '--cols', String(COLS), '--categorical', CATEGORICAL], { encoding: 'utf8' }));
console.log('native done');

const wasm = await inWorker(dir, 'binning', `cols=${COLS}&categorical=${CATEGORICAL}`);

// IV agreement: the largest relative difference (IV below 1e-3 compared
// absolutely: a noise column's IV is a rounding of nothing).
const agree = (ours) => {
  let rel = 0, worst = '', sameBins = 0;
  ours.iv.forEach(([name, iv, bins], j) => {
    const [, ref, refBins] = peer.iv[j];
    const d = Math.abs(iv - ref) / Math.max(Math.abs(ref), 1e-3);
    if (d > rel) { rel = d; worst = name; }
    if (bins === refBins) sameBins += 1;
  });
  const same = JSON.stringify(ours.selected) === JSON.stringify(peer.selected);
  return { rel, worst, sameBins, same };
};
const an = agree(native), aw = agree(wasm);
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const r = (a, b) => `${(a / b).toFixed(3)}×`;
console.log(`\n## Scorecard binning, ${ROWS.toLocaleString('en-US')} rows × ${COLS} characteristics (25 numeric, 5 categorical; ${peer.events.toLocaleString('en-US')} events)\n`);
console.log('| | kequn native | kequn wasm (worker) | optbinning BinningProcess | native ÷ optbinning | wasm ÷ optbinning |');
console.log('|---|---:|---:|---:|---:|---:|');
console.log(`| bin and select all ${COLS} | ${s(native.fit_ms)} | ${s(wasm.fit_ms)} | ${s(peer.fit_ms)} | ${r(native.fit_ms, peer.fit_ms)} | ${r(wasm.fit_ms, peer.fit_ms)} |`);
console.log(`| IV: largest relative difference from optbinning | ${(an.rel * 100).toFixed(4)} % (${an.worst}) | ${(aw.rel * 100).toFixed(4)} % (${aw.worst}) | | | |`);
console.log(`| characteristics with optbinning's bin count | ${an.sameBins} / ${COLS} | ${aw.sameBins} / ${COLS} | | | |`);
console.log(`| same characteristics kept at IV ≥ 0.02 | ${an.same ? 'yes' : 'NO'} (${native.selected.length}) | ${aw.same ? 'yes' : 'NO'} (${wasm.selected.length}) | ${peer.selected.length} | | |`);
console.log('\n| characteristic | IV kequn | IV optbinning | bins kequn / optbinning |');
console.log('|---|---:|---:|---:|');
native.iv.forEach(([name, iv, bins], j) => console.log(`| ${name} | ${iv.toFixed(6)} | ${peer.iv[j][1].toFixed(6)} | ${bins} / ${peer.iv[j][2]} |`));
