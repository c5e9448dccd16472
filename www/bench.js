// Parse benchmark page (not part of the product): times kequn's loader in
// wasm against papaparse on the same bytes in the same browser. Driven by
// tests/bench/parse.mjs; results go to window.__bench.
import init, { run } from './pkg/kequn.js';
import { defaultWorkers } from './ui/worker-client.js';

const params = new URLSearchParams(location.search);
const file = params.get('file');
const repeat = Number(params.get('repeat') || 3);
const out = document.getElementById('out');
const log = (s) => { out.textContent += `\n${s}`; };

function best(fn) {
  let min = Infinity, result;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    result = fn();
    min = Math.min(min, performance.now() - t0);
  }
  return { ms: min, result };
}

// Recipe mode: time each stage of recipe::run on files beside the recipe.
async function recipeBench(url) {
  const recipe = await (await fetch(url)).json();
  const dir = url.slice(0, url.lastIndexOf('/') + 1);
  const files = [];
  const names = recipe.inputs.flatMap((i) => [i.file, i.columns_file]);
  if (recipe.basket && recipe.basket.file) names.push(recipe.basket.file);
  for (const name of names.filter(Boolean)) {
    files.push({ name, bytes: new Uint8Array(await (await fetch(dir + name)).arrayBuffer()) });
  }
  const spans = [];
  const t0 = performance.now();
  const report = run(JSON.stringify(recipe), files, (stage) => {
    if (!spans.length || spans[spans.length - 1][0] !== stage) spans.push([stage, performance.now() - t0]);
  });
  const total = performance.now() - t0;
  const stages = spans.map(([s, at], k) => [s, (k + 1 < spans.length ? spans[k + 1][1] : total) - at]);
  window.__bench = {
    stages, total_ms: total,
    auc: report.model ? report.model.metrics.auc : null,
    rules: report.basket ? report.basket.overall.rules.length : null,
    segment_rules: report.basket ? report.basket.segments.map((s) => s.rules.length) : null,
    inertia: report.segment ? report.segment.inertia : null,
    k: report.segment ? report.segment.k : null,
  };
  log(JSON.stringify(window.__bench));
}

// Worker mode: the recipe through www/worker.js exactly as the page runs it
// (File objects read in slices, progress messages, the report cloned back),
// then the XLSX workbook from the worker's last run, then the wasm memory.
async function workerBench(url) {
  const recipe = await (await fetch(url)).json();
  const dir = url.slice(0, url.lastIndexOf('/') + 1);
  const names = recipe.inputs.flatMap((i) => [i.file, i.columns_file]).filter(Boolean);
  const files = await Promise.all(names.map(async (n) => new File([await (await fetch(dir + n)).blob()], n)));
  const worker = new Worker('./worker.js', { type: 'module' });
  let seq = 0;
  const call = (msg, onProgress) => new Promise((resolve, reject) => {
    const id = ++seq;
    worker.onmessage = (e) => {
      if (e.data.id !== id) return;
      if (e.data.type === 'progress') { if (onProgress) onProgress(e.data.stage, e.data.peak, e.data.linear); } else if (e.data.type === 'done') resolve(e.data.report);
      else reject(new Error(e.data.error.message_en));
    };
    worker.postMessage({ ...msg, id });
  });
  await call({ type: 'version' });
  const { threads, failed: threadsFailed } = await call({ type: 'threads' });
  const workers = Number(params.get('workers')) || defaultWorkers();
  // `warm=1`: one run first, so the timed run meets code V8 has already tiered up.
  if (params.get('warm')) await call({ type: 'run', recipe, files, workers });
  // `warmed=1`: after the worker's own warm-up (a user picking files gives it the time).
  if (params.get('warmed')) await call({ type: 'warmed' });
  const spans = [];
  // The core's peak heap within each stage: each message carries the peak
  // since the one before, which belongs to the stage that was running.
  const peaks = {};
  // The linear memory as each stage ends (it only grows): where it grew.
  const linear = {};
  let running = null;
  const t0 = performance.now();
  const report = await call({ type: 'run', recipe, files, workers, ...(params.get('pool_min') ? { pool_min: Number(params.get('pool_min')) } : {}) }, (stage, peak, size) => {
    if (!spans.length || spans[spans.length - 1][0] !== stage) spans.push([stage, performance.now() - t0]);
    const owner = running ?? stage;
    if (peak !== undefined) peaks[owner] = Math.max(peaks[owner] || 0, peak);
    if (size !== undefined) linear[owner] = Math.max(linear[owner] || 0, size);
    running = stage;
  });
  const total = performance.now() - t0;
  const stages = spans.map(([st, at], k) => [st, (k + 1 < spans.length ? spans[k + 1][1] : total) - at]);
  const t1 = performance.now();
  const book = await call({ type: 'workbook' });
  const xlsxMs = performance.now() - t1;
  const memory = await call({ type: 'memory' });
  worker.terminate();
  window.__bench = {
    // The threads the run had: one worker keeps it on its own thread.
    workers, threads: workers > 1 ? threads : 1, threads_failed: threadsFailed, stages, peak_mib: Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v / 1048576)])),
    linear_mib: Object.fromEntries(Object.entries(linear).map(([k, v]) => [k, Math.round(v / 1048576)])),
    total_ms: total, xlsx_ms: xlsxMs, xlsx_bytes: book.length, wasm_memory: memory,
    auc: report.model ? report.model.metrics.auc : null,
    fit_seconds: report.model ? report.model.comparison.map((r) => [r.kind, r.fit_seconds]) : null,
    inertia: report.segment ? report.segment.inertia : null,
    k: report.segment ? report.segment.k : null,
    scan: report.segment && report.segment.selection ? report.segment.selection.scores.map((x) => x.inertia) : null,
    rules: report.basket ? report.basket.overall.rules.length : null,
    segment_rules: report.basket ? report.basket.segments.map((x) => x.rules.length) : null,
    offers: report.basket ? report.basket.cross_sell_total : null,
  };
  log(JSON.stringify({ ...window.__bench, stages: undefined }));
}

// A model on a float64 matrix in the page's worker, on the data its peer
// reads (x.f64 row-major, y.u8): gradient boosting beside LightGBM
// (tests/bench/gbdt.mjs) or the scorecard binning beside optbinning
// (tests/bench/binning.mjs). `message` says which and how.
async function matrixBench(url, message) {
  const x = new Float64Array(await (await fetch(`${url}/x.f64`)).arrayBuffer());
  const y = new Uint8Array(await (await fetch(`${url}/y.u8`)).arrayBuffer());
  const worker = new Worker('./worker.js', { type: 'module' });
  const r = await new Promise((resolve, reject) => {
    worker.onmessage = (e) => { if (e.data.type === 'done') resolve(e.data.report); else if (e.data.type === 'error') reject(new Error(e.data.error.message_en)); };
    worker.postMessage({ id: 1, ...message, x, y, cols: Number(params.get('cols')) });
  });
  worker.terminate();
  window.__bench = r;
  log(JSON.stringify(r));
}

// npm ml-logistic-regression on the harness's design matrix (float64,
// row-major, last column the 0/1 label): batch gradient steps as the package
// does them, learning rate scaled by the rows; AUC on the test rows.
async function mlLogitBench() {
  const { LogisticRegression, Matrix } = await import('./vendor/ml-peers.mjs');
  const cols = Number(params.get('cols'));
  const read = async (u) => {
    const raw = new Float64Array(await (await fetch(u)).arrayBuffer());
    const n = raw.length / (cols + 1);
    const x = [], y = [];
    for (let i = 0; i < n; i++) {
      x.push(Array.from(raw.subarray(i * (cols + 1), i * (cols + 1) + cols)));
      y.push(raw[i * (cols + 1) + cols]);
    }
    return { x: new Matrix(x), y, n };
  };
  const train = await read(params.get('mllogit'));
  const test = await read(params.get('test'));
  const steps = Number(params.get('steps') || 100);
  const t0 = performance.now();
  const lr = new LogisticRegression({ numSteps: steps, learningRate: 1 / train.n });
  lr.train(train.x, Matrix.columnVector(train.y));
  const ms = performance.now() - t0;
  // The package's one-vs-all labels class i as 0 and the rest as 1, so the
  // first classifier scores "not class 0", i.e. the positive class.
  const scores = lr.classifiers[0].testScores(test.x);
  window.__bench = { ms, steps, auc: aucOf(scores, test.y) };
  log(JSON.stringify(window.__bench));
}

function aucOf(scores, y) {
  const idx = scores.map((s, i) => [s, y[i]]).sort((a, b) => a[0] - b[0]);
  let rankSum = 0, pos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j < idx.length && idx[j][0] === idx[i][0]) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (idx[k][1] === 1) { rankSum += rank; pos++; }
    i = j;
  }
  const neg = idx.length - pos;
  return (rankSum - pos * (pos + 1) / 2) / (pos * neg);
}

// ml-kmeans (npm, bundled by `make bench`) on the benchmark's float64 data,
// standardised as kequn does; k-means++ start, the same iteration cap.
async function mlKmeansBench(url) {
  const { kmeans } = await import(params.get('vendor') || './vendor/ml-kmeans.mjs');
  const rows = Number(params.get('rows')), cols = Number(params.get('cols'));
  const raw = new Float64Array(await (await fetch(url)).arrayBuffer());
  const mean = new Float64Array(cols), sd = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += raw[i * cols + j] / rows;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) sd[j] += (raw[i * cols + j] - mean[j]) ** 2 / rows;
  const data = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (raw[i * cols + j] - mean[j]) / Math.sqrt(sd[j])));
  const t0 = performance.now();
  const r = kmeans(data, Number(params.get('k')), { initialization: 'kmeans++', maxIterations: Number(params.get('iterations')), tolerance: 1e-12, seed: 1 });
  const ms = performance.now() - t0;
  const inertia = r.computeInformation(data).reduce((a, c) => a + c.error * c.size, 0);
  window.__bench = { ms, iterations: r.iterations, inertia };
  log(JSON.stringify(window.__bench));
}

async function main() {
  const wasm = await init();
  if (params.get('recipe')) return recipeBench(params.get('recipe'));
  if (params.get('worker')) return workerBench(params.get('worker'));
  if (params.get('mllogit')) return mlLogitBench();
  if (params.get('gbdt')) return matrixBench(params.get('gbdt'), { type: 'bench_gbdt', test_rows: Number(params.get('test')), shap: params.get('shap') !== '0' });
  if (params.get('binning')) return matrixBench(params.get('binning'), { type: 'bench_binning', categorical: params.get('categorical').split(',').map(Number) });
  if (params.get('mlkmeans')) return mlKmeansBench(params.get('mlkmeans'));
  const bytes = new Uint8Array(await (await fetch(file)).arrayBuffer());
  const mb = bytes.length / 1e6;
  const name = file.split('/').pop();
  const recipe = JSON.stringify({ inputs: [{ file: name }] });
  const k = best(() => run(recipe, [{ name, bytes }], null));
  const rows = k.result.tables[0].load.rows;
  log(`kequn wasm (decode + split + type + profile): ${k.ms.toFixed(0)} ms`);
  const decode = best(() => new TextDecoder('utf-8').decode(bytes));
  const text = decode.result;
  const pStr = best(() => Papa.parse(text, { header: true, skipEmptyLines: true }));
  const pArrays = best(() => Papa.parse(text, { skipEmptyLines: true }));
  const pTyped = best(() => Papa.parse(text, { header: true, dynamicTyping: true, skipEmptyLines: true }));
  const papaRows = pTyped.result.data.length;
  window.__bench = {
    mb, rows, papaRows,
    kequn_ms: k.ms, decode_ms: decode.ms, papa_strings_ms: pStr.ms, papa_arrays_ms: pArrays.ms, papa_typed_ms: pTyped.ms,
    wasm_memory: wasm.memory.buffer.byteLength,
  };
  log(JSON.stringify(window.__bench));
}

main().catch((e) => { window.__bench = { error: String(e && e.message_en || e) }; log(String(e)); });
