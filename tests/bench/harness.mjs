// The benchmark harness (not a test): kequn natively (CLI), kequn wasm in
// headless Chromium (through the page's worker), and the peers — pandas /
// scikit-learn / mlxtend / XlsxWriter in a local virtual environment, and
// papaparse, ml-kmeans and ml-logistic-regression in the same browser, uDSV
// in Node (its generated parser needs eval, which the page's CSP forbids) — on
// the same generated files, step by step, at each size. Prints a table of
// times and ratios (kequn ÷ peer) with quality beside speed, and writes it
// as JSON and Markdown under bench-results/ (not committed).
//
//   node tests/bench/harness.mjs [10000,100000,1000000]     (make bench-compare)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, linkSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import { inferSchema, initParser } from 'udsv';
import { startServer, launch, ROOT } from '../e2e/harness.mjs';
import { rendererPeakMiB } from './memory.mjs';
import { peerPython } from './matrix.mjs';

const sizes = (process.argv[2] || '10000,100000,1000000').split(',').map(Number);
const BIN = path.join(ROOT, 'target/release/kequn');
const DATA = path.join(ROOT, 'bench-data', 'harness');
const SERVED = path.join(ROOT, 'www', 'bench-data', 'harness');
const RESULTS = path.join(ROOT, 'bench-results');
mkdirSync(RESULTS, { recursive: true });

// The peers' Python: a virtual environment of its own, from PyPI (made,
// or given what it misses, by the same helper as the other benchmarks).
const PY = peerPython('import pandas, sklearn, mlxtend, xlsxwriter', ['pandas', 'scikit-learn', 'mlxtend', 'xlsxwriter']);
const pyVersions = execFileSync(PY, ['-c', 'import pandas, sklearn, mlxtend; print(f"pandas {pandas.__version__}, scikit-learn {sklearn.__version__}, mlxtend {mlxtend.__version__}")'], { encoding: 'utf8' }).trim();

// The browser peers, bundled from node_modules.
execFileSync('npx', ['esbuild', path.join(ROOT, 'tests/bench/ml-peers-entry.mjs'), '--bundle', '--format=esm', '--minify',
  `--outfile=${path.join(ROOT, 'www/vendor/ml-peers.mjs')}`], { stdio: 'inherit' });

const wealthRecipe = JSON.parse(readFileSync(path.join(ROOT, 'data/recipes/wealth.json'), 'utf8'));
const retailRecipe = JSON.parse(readFileSync(path.join(ROOT, 'data/recipes/retail_cross_sell.json'), 'utf8'));
const KM_COLS = ['age', 'monthly_trade_amount', 'stock_value', 'cash_value', 'fixed_income_value', 'equity_value',
  'alternative_value', 'product_count', 'trade_count_30d', 'app_login_30d', 'financial_news_views_30d'];

// The recipes measured: the wealth scenario (no cross-validation or tree, as
// the peer fits one model), K-Means k = 6 and the K scan on its profile
// columns, and the retail scenario at a given K (Apriori per segment and
// cross-sell lists).
function recipes(dir) {
  const base = { inputs: wealthRecipe.inputs, join: wealthRecipe.join };
  const wealth = { ...wealthRecipe, name: 'wealth', data_dir: undefined,
    model: { kind: 'logistic', test_share: 0.3, seed: 42 } };
  const km = { ...base, name: 'kmeans', features: { include: KM_COLS, missing: 'median' },
    segment: { method: 'kmeans', k: 6, n_init: 1, seed: 1, id: 'user_id' } };
  const scan = { ...km, name: 'kscan', segment: { method: 'kmeans', k_range: [2, 8], n_init: 3, seed: 1, id: 'user_id' } };
  const retail = { ...retailRecipe, name: 'retail', data_dir: undefined,
    segment: { ...retailRecipe.segment, k_range: undefined, k: 5, n_init: 1 } };
  const out = {};
  for (const [name, r] of Object.entries({ wealth, kmeans: km, kscan: scan, retail })) {
    out[name] = path.join(dir, `${name}.json`);
    writeFileSync(out[name], JSON.stringify(r, null, 1));
  }
  return out;
}

const sum = (stages, pred) => stages.filter(([s]) => pred(s)).reduce((a, [, ms]) => a + ms, 0);
const isLoad = (s) => /: (decode|parse|types)$/.test(s);
function steps(runs) {
  const w = runs.wealth.stages, r = runs.retail.stages;
  return {
    'load+parse+type': sum(w, isLoad),
    join: sum(w, (s) => s === 'join'),
    label: sum(w, (s) => s === 'label'),
    'feature pipeline': sum(w, (s) => s === 'features'),
    'logistic regression fit': sum(w, (s) => s === 'model'),
    'K-Means k=6': sum(runs.kmeans.stages, (s) => s === 'kmeans'),
    'K scan 2..8': sum(runs.kscan.stages, (s) => s === 'k scan'),
    'Apriori per segment': sum(r, (s) => s === 'apriori' || s.startsWith('rules')),
    'cross-sell lists': sum(r, (s) => s === 'cross-sell'),
    'XLSX export': runs.retail.xlsx_ms,
    'wealth end to end': runs.wealth.total_ms,
  };
}

function native(recipe, out) {
  const args = ['run', recipe, '--timings', '--json', ...(out ? ['--out', out] : [])];
  const t0 = performance.now();
  const p = spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const total = performance.now() - t0;
  if (p.status !== 0) throw new Error(`kequn ${args.join(' ')}: ${p.stderr}`);
  const stages = [...p.stderr.matchAll(/timing: (.+): ([\d.]+) s/g)].map((m) => [m[1], Number(m[2]) * 1000]);
  const report = JSON.parse(p.stdout);
  return {
    stages: stages.filter(([s]) => s !== 'export xlsx'),
    total_ms: total,
    xlsx_ms: sum(stages, (s) => s === 'export xlsx'),
    memory_mib: Number((p.stderr.match(/peak memory: (\d+) MiB/) || [0, 0])[1]),
    report,
  };
}

async function inBrowser(browser, url) {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__bench, null, { timeout: 3600000 });
    const b = await page.evaluate(() => window.__bench);
    if (b.error) throw new Error(b.error);
    // Read while the page is open: its renderer holds the worker's memory.
    return { ...b, tab_mib: rendererPeakMiB() };
  } finally {
    await page.close();
  }
}

// The steps whose scaling over the workers is measured: [name, the
// harness recipe run, its time in a page run].
const untilJoin = (b) => sum(b.stages.slice(0, b.stages.findIndex(([st]) => st === 'join')), () => true);
const SCALED = [
  ['parse+type, one file (retail.del)', 'retail', (b) => sum(b.stages, (s) => /^retail\.del: (parse|types)$/.test(s))],
  ['inputs loaded, two files (wealth)', 'wealth', untilJoin],
  ['K-Means k=6', 'kmeans', (b) => sum(b.stages, (s) => s === 'kmeans')],
  ['logistic regression fit', 'wealth', (b) => sum(b.stages, (s) => s === 'model')],
  ['scoring', 'wealth', (b) => sum(b.stages, (s) => s === 'scoring')],
  ['wealth end to end', 'wealth', (b) => b.total_ms],
];
const SCALING_REPS = Math.max(1, Number(process.env.SCALING_REPS || 3));

const fmtMs = (ms) => (ms == null ? '–' : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const ratio = (a, b) => (a == null || !b ? '–' : `${(a / b).toFixed(2)}×`);

/** npm uDSV on `file` in Node, TextDecoder included, schema inferred, every row typed; the best of 2. */
function udsvTyped(file) {
  const bytes = readFileSync(file);
  let best = null;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const text = new TextDecoder().decode(bytes);
    const rows = initParser(inferSchema(text)).typedArrs(text).length;
    const ms = performance.now() - t0;
    if (!best || ms < best.ms) best = { ms, rows };
  }
  return best;
}

/** From navigation to the page being ready (its worker's wasm answered), in the page's own clock as the page read it then; the median of `times`. */
async function pageReady(browser, url, times = 5) {
  const ms = [];
  for (let i = 0; i < times; i++) {
    const page = await browser.newPage();
    try {
      await page.goto(url);
      await page.waitForSelector('body[data-ready="1"]');
      // The page's clock when it became ready (set by the page): reading
      // performance.now() here adds Playwright's polling and whatever the
      // page's thread runs next (ECharts loads once the page is ready).
      ms.push(Number(await page.evaluate(() => document.body.dataset.readyMs)));
    } finally {
      await page.close();
    }
  }
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)];
}

const all = [];
const server = await startServer();
const browser = await launch();
// Size and start: the wasm as shipped, the page ready served and from file://.
// The core every start fetches; the office build only when a file is a
// workbook or a download needs it.
const wasmBytes = readFileSync(path.join(ROOT, 'www/pkg/kequn_bg.wasm'));
const officeBytes = readFileSync(path.join(ROOT, 'www/pkg-office/kequn_bg.wasm'));
// The served page's, where it is cross-origin isolated (www/worker.js).
const threadsBytes = readFileSync(path.join(ROOT, 'www/pkg-threads/kequn_bg.wasm'));
const start = {
  wasm_raw: wasmBytes.length,
  wasm_gzip: gzipSync(wasmBytes, { level: 9 }).length,
  threads_raw: threadsBytes.length,
  threads_gzip: gzipSync(threadsBytes, { level: 9 }).length,
  office_raw: officeBytes.length,
  office_gzip: gzipSync(officeBytes, { level: 9 }).length,
  ready_served_ms: await pageReady(browser, server.url),
  ready_file_ms: await pageReady(browser, `file://${path.join(ROOT, 'dist/kequn.html')}`),
};
console.log(`wasm ${start.wasm_raw.toLocaleString('en-US')} bytes, ${start.wasm_gzip.toLocaleString('en-US')} gzip (threaded build ${start.threads_gzip.toLocaleString('en-US')} gzip; office build, on first need: ${start.office_gzip.toLocaleString('en-US')} gzip); page ready ${fmtMs(start.ready_served_ms)} served, ${fmtMs(start.ready_file_ms)} from file:// (median of 5)`);
try {
  for (const n of sizes) {
    console.log(`\n===== ${n.toLocaleString('en-US')} customers =====`);
    const dir = path.join(DATA, String(n));
    const wdir = path.join(dir, 'wealth'), rdir = path.join(dir, 'retail');
    if (!existsSync(path.join(wdir, 'user_base.csv'))) execFileSync(BIN, ['synth', 'scenario', 'wealth', '--rows', String(n), '--seed', '1', '--out', wdir]);
    if (!existsSync(path.join(rdir, 'retail.del'))) execFileSync(BIN, ['synth', 'scenario', 'retail', '--rows', String(n), '--seed', '1', '--out', rdir]);
    const rw = recipes(wdir), rr = recipes(rdir);
    // Native.
    const nat = {};
    for (const name of ['wealth', 'kmeans', 'kscan']) nat[name] = native(rw[name]);
    const outDir = path.join(dir, 'native-out');
    nat.retail = native(rr.retail, outDir);
    console.log('native done:', Object.entries(nat).map(([k, v]) => `${k} ${fmtMs(v.total_ms)}`).join(', '));
    // Python peers.
    const py = spawnSync(PY, [path.join(ROOT, 'tests/bench/peers.py'), wdir, rdir, path.join(outDir, 'segments.csv'), dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (py.status !== 0) throw new Error(`peers.py: ${py.stderr}`);
    const peer = JSON.parse(py.stdout);
    console.log('python done:', Object.entries(peer.seconds).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', '));
    // The browser: kequn through the worker, then the npm peers.
    const served = path.join(SERVED, String(n));
    rmSync(served, { recursive: true, force: true });
    mkdirSync(served, { recursive: true });
    const link = (from, name) => linkSync(from, path.join(served, name));
    for (const f of ['user_base.csv', 'user_behavior_assets.csv']) link(path.join(wdir, f), f);
    for (const f of ['retail.del', 'retail_columns.txt']) link(path.join(rdir, f), f);
    for (const f of ['wealth', 'kmeans', 'kscan']) link(rw[f], `${f}.json`);
    link(rr.retail, 'retail.json');
    for (const f of ['logit_train.f64', 'logit_test.f64', 'kmeans.f64']) link(path.join(dir, f), f);
    const rel = `bench-data/harness/${n}`;
    const wasm = {};
    for (const name of ['wealth', 'kmeans', 'kscan', 'retail']) {
      wasm[name] = await inBrowser(browser, `${server.url}bench.html?worker=${rel}/${name}.json`);
    }
    console.log('wasm done:', Object.entries(wasm).map(([k, v]) => `${k} ${fmtMs(v.total_ms)}`).join(', '));
    // Each step's scaling: the runs on one worker and on the page's default
    // alternated, each step's best of SCALING_REPS (the machine is shared).
    const scaling = [];
    // The first wealth run on one worker, beside the default's above for the pool line.
    let single = null;
    for (let rep = 0; rep < SCALING_REPS; rep++) {
      for (const [name, workers] of [['wealth', 1], ['wealth', 0], ['kmeans', 1], ['kmeans', 0], ['retail', 1], ['retail', 0]]) {
        const b = await inBrowser(browser, `${server.url}bench.html?worker=${rel}/${name}.json${workers ? `&workers=${workers}` : ''}`);
        if (name === 'wealth' && workers === 1) single ??= b;
        for (const [step, recipe, of] of SCALED) {
          if (recipe !== name) continue;
          let row = scaling.find((r) => r.step === step);
          if (!row) scaling.push(row = { step, one_ms: Infinity, many_ms: Infinity, workers: 0, threads: 0 });
          if (workers === 1) row.one_ms = Math.min(row.one_ms, of(b));
          else Object.assign(row, { many_ms: Math.min(row.many_ms, of(b)), workers: b.workers, threads: b.threads });
        }
      }
    }
    const order = (r) => SCALED.findIndex(([step]) => step === r.step);
    scaling.sort((a, b) => order(a) - order(b));
    const pool = [single, wasm.wealth].map((b) => ({ workers: b.workers, threads: b.threads, total_ms: b.total_ms, inputs_ms: untilJoin(b), tab_mib: b.tab_mib, auc: b.auc }));
    const papa = await inBrowser(browser, `${server.url}bench.html?file=${rel}/user_behavior_assets.csv&repeat=1`);
    const mlk = await inBrowser(browser, `${server.url}bench.html?mlkmeans=${rel}/kmeans.f64&rows=${peer.kmeans_rows}&cols=${peer.kmeans_columns}&k=6&iterations=300&vendor=./vendor/ml-peers.mjs`);
    const mll = await inBrowser(browser, `${server.url}bench.html?mllogit=${rel}/logit_train.f64&test=${rel}/logit_test.f64&cols=${peer.design_columns}&steps=100`);
    rmSync(served, { recursive: true, force: true });

    const udsv = udsvTyped(path.join(wdir, 'user_behavior_assets.csv'));
    const ns = steps(nat), ws = steps(wasm);
    const ps = peer.seconds;
    const peerMs = {
      'load+parse+type': ps.load * 1000, join: ps.join * 1000, label: ps.label * 1000, 'feature pipeline': ps.features * 1000,
      'logistic regression fit': ps.logistic * 1000, 'K-Means k=6': ps.kmeans * 1000, 'K scan 2..8': ps.kscan * 1000,
      'Apriori per segment': ps.apriori * 1000, 'cross-sell lists': ps.cross_sell * 1000, 'XLSX export': ps.xlsx * 1000,
      'wealth end to end': (ps.load + ps.join + ps.label + ps.features + ps.logistic) * 1000,
    };
    const segRules = (rep) => [rep.basket.overall.rules.length, ...rep.basket.segments.map((x) => x.rules.length)].reduce((a, b) => a + b, 0);
    const peerRules = Object.values(peer.rules).reduce((a, b) => a + b, 0);
    const quality = {
      'logistic regression fit': `AUC ${nat.wealth.report.model.metrics.auc.toFixed(4)} / ${wasm.wealth.auc.toFixed(4)} / sklearn ${peer.auc.toFixed(4)} / ml-logistic-regression ${mll.auc.toFixed(4)}`,
      'K-Means k=6': `inertia ${nat.kmeans.report.segment.inertia.toFixed(0)} / ${wasm.kmeans.inertia.toFixed(0)} / sklearn ${peer.kmeans_inertia.toFixed(0)} / ml-kmeans ${mlk.inertia.toFixed(0)}`,
      // Above segment.scan_rows the scan fits each K on a sample: WCSS per row compares.
      'K scan 2..8': ((sel) => `K = ${sel.suggested} (each K on ${sel.scan_rows.toLocaleString('en-US')} of ${nat.kscan.report.segment.rows.toLocaleString('en-US')} rows); WCSS per row at k=6 ${(sel.scores[4].inertia / sel.scan_rows).toFixed(4)} / sklearn on every row ${(peer.scan_inertia[4] / peer.kmeans_rows).toFixed(4)}`)(nat.kscan.report.segment.selection),
      'Apriori per segment': `rules ${segRules(nat.retail.report)} / ${wasm.retail.rules + wasm.retail.segment_rules.reduce((a, b) => a + b, 0)} / mlxtend ${peerRules}`,
      // The page holds the first offers; the wasm run's total is compared.
      'cross-sell lists': `customers offered something ${new Set(nat.retail.report.basket.cross_sell.map((o) => o.id)).size} / pandas ${peer.offers} (kequn lists up to 3 offers each: ${nat.retail.report.basket.cross_sell.length} / wasm ${wasm.retail.offers})`,
      'load+parse+type': `on user_behavior_assets.csv: kequn wasm ${fmtMs(papa.kequn_ms)} (incl. profile), papaparse typed ${fmtMs(papa.papa_typed_ms)}, uDSV typed ${fmtMs(udsv.ms)} in Node (same V8; it builds its parser with new Function, which the page's CSP forbids)`,
    };
    const rows = Object.keys(ns).map((step) => {
      const browserPeer = step === 'K-Means k=6' ? mlk.ms : step === 'logistic regression fit' ? mll.ms : step === 'load+parse+type' ? papa.papa_typed_ms : null;
      return {
        step, native_ms: ns[step], wasm_ms: ws[step], python_ms: peerMs[step], browser_peer_ms: browserPeer,
        native_ratio: peerMs[step] ? ns[step] / peerMs[step] : null, wasm_ratio: peerMs[step] ? ws[step] / peerMs[step] : null,
        wasm_vs_browser_peer: browserPeer ? ws[step] / browserPeer : null, quality: quality[step] || '',
      };
    });
    const memory = {
      native_mib: Math.max(...Object.values(nat).map((r) => r.memory_mib)),
      wasm_mib: Math.max(...Object.values(wasm).map((r) => r.wasm_memory)) / 1048576,
      tab_mib: Math.max(...Object.values(wasm).map((r) => r.tab_mib)),
      wealth_tab_mib: wasm.wealth.tab_mib,
      python_mib: peer.peak_memory_mib,
    };
    console.log(`\n| step | kequn native | kequn wasm | pandas/sklearn/mlxtend | native ÷ py | wasm ÷ py | browser peer | wasm ÷ browser peer | quality (native / wasm / peers) |`);
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of rows) {
      console.log(`| ${r.step} | ${fmtMs(r.native_ms)} | ${fmtMs(r.wasm_ms)} | ${fmtMs(r.python_ms)} | ${ratio(r.native_ms, r.python_ms)} | ${ratio(r.wasm_ms, r.python_ms)} | ${fmtMs(r.browser_peer_ms)} | ${ratio(r.wasm_ms, r.browser_peer_ms)} | ${r.quality} |`);
    }
    const poolLine = `worker pool, wealth in the page: ${pool.map((p) => `${p.workers} worker${p.workers > 1 ? 's' : ''} (${p.threads} thread${p.threads > 1 ? 's' : ''}) ${fmtMs(p.total_ms)} (inputs loaded ${fmtMs(p.inputs_ms)}; tab ${p.tab_mib.toFixed(0)} MiB; AUC ${p.auc})`).join(' — ')}`;
    console.log(poolLine);
    const scalingTable = `| step | 1 worker | ${scaling[0].workers} workers (${scaling[0].threads} threads) | speed-up |\n|---|---:|---:|---:|\n`
      + scaling.map((r) => `| ${r.step} | ${fmtMs(r.one_ms)} | ${fmtMs(r.many_ms)} | ${(r.one_ms / r.many_ms).toFixed(2)}× |`).join('\n');
    console.log(`\nscaling on this machine's ${os.cpus().length} cores (each step's best of ${SCALING_REPS} runs, alternated):\n${scalingTable}`);
    console.log(`peak memory: native ${memory.native_mib.toFixed(0)} MiB, wasm linear memory ${memory.wasm_mib.toFixed(0)} MiB, browser tab ${memory.tab_mib.toFixed(0)} MiB (wealth ${memory.wealth_tab_mib.toFixed(0)} MiB), python ${memory.python_mib.toFixed(0)} MiB`);
    all.push({ customers: n, rows, memory, pool, pool_line: poolLine, scaling, scaling_table: scalingTable, wasm_totals: Object.fromEntries(Object.entries(wasm).map(([k, v]) => [k, v.total_ms])),
      // Every stage of each page run, for finding where the time goes.
      wasm_stages: Object.fromEntries(Object.entries(wasm).map(([k, v]) => [k, v.stages])) });
  }
} finally {
  await browser.close();
  server.stop();
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gib: os.totalmem() / 2 ** 30, python: pyVersions,
  chromium: spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim() };
writeFileSync(path.join(RESULTS, `bench-${stamp}.json`), JSON.stringify({ machine, start, results: all }, null, 1));
let md = `# kequn benchmark ${stamp}\n\n${machine.cpus} × ${machine.cpu}, ${machine.memory_gib.toFixed(0)} GiB; ${machine.python}; ${machine.chromium}.\nRatios are kequn ÷ peer: below 1 means kequn is faster.\n`;
md += `\nkequn_bg.wasm ${start.wasm_raw.toLocaleString('en-US')} bytes, ${start.wasm_gzip.toLocaleString('en-US')} gzip -9 (the threaded build, served cross-origin isolated: ${start.threads_raw.toLocaleString('en-US')} bytes, ${start.threads_gzip.toLocaleString('en-US')} gzip; the office build, fetched on first need: ${start.office_raw.toLocaleString('en-US')} bytes, ${start.office_gzip.toLocaleString('en-US')} gzip); page ready (median of 5) ${fmtMs(start.ready_served_ms)} served, ${fmtMs(start.ready_file_ms)} from file://.\n`;
for (const r of all) {
  md += `\n## ${r.customers.toLocaleString('en-US')} customers\n\n| step | kequn native | kequn wasm | pandas/sklearn/mlxtend | native ÷ py | wasm ÷ py | browser peer | wasm ÷ browser peer | quality (native / wasm / peers) |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n`;
  for (const x of r.rows) md += `| ${x.step} | ${fmtMs(x.native_ms)} | ${fmtMs(x.wasm_ms)} | ${fmtMs(x.python_ms)} | ${ratio(x.native_ms, x.python_ms)} | ${ratio(x.wasm_ms, x.python_ms)} | ${fmtMs(x.browser_peer_ms)} | ${ratio(x.wasm_ms, x.browser_peer_ms)} | ${x.quality} |\n`;
  md += `\n${r.pool_line}.\n`;
  md += `\nScaling on this machine's ${machine.cpus} cores, each step's best of ${SCALING_REPS} runs (alternated):\n\n${r.scaling_table}\n`;
  md += `\nPeak memory: native ${r.memory.native_mib.toFixed(0)} MiB, wasm linear memory ${r.memory.wasm_mib.toFixed(0)} MiB, browser tab (renderer process resident peak) ${r.memory.tab_mib.toFixed(0)} MiB — the largest of all runs, the XLSX export included; the wealth scenario's run alone ${r.memory.wealth_tab_mib.toFixed(0)} MiB; Python ${r.memory.python_mib.toFixed(0)} MiB.\n`;
}
writeFileSync(path.join(RESULTS, `bench-${stamp}.md`), md);
console.log(`\nwritten: bench-results/bench-${stamp}.json and .md`);
