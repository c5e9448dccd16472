// Parse benchmark page (not part of the product): times kequn's loader in
// wasm against papaparse on the same bytes in the same browser. Driven by
// tests/bench/parse.mjs; results go to window.__bench.
import init, { run } from './pkg/kequn.js';

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

// ml-kmeans (npm, bundled by `make bench`) on the benchmark's float64 data,
// standardised as kequn does; k-means++ start, the same iteration cap.
async function mlKmeansBench(url) {
  const { kmeans } = await import('./vendor/ml-kmeans.mjs');
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
