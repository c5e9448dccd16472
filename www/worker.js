// The Web Worker that owns the wasm core. The page sends File objects and a
// recipe; the worker has inputs worth it loaded by pool workers of its own
// (one wasm instance each, `workers` at most), copies the other files into
// wasm memory in slices (reporting bytes read), runs the recipe, and posts
// progress, the report, or the error back.
import * as plain from './pkg/kequn.js';

// A pool worker (worker.js#pool) loads one input table of a run in a wasm
// instance of its own, from the compiled module it gets with its job.
// Served, this worker starts its pool workers; in the offline file the
// page does (workers this one started from its Blob URL ran but never
// received a message there, Chromium from file://) and hands this worker a
// MessagePort to each.
const POOL = self.location.hash === '#pool';
// In the single offline file the wasm bytes come with the worker's source.
// The plain build's module: this worker's core unless threaded, and
// always its pool workers' (compiled once, on first need).
let plainModule = null;
const compiled = () => plainModule ??= self.KEQUN_WASM ? self.KEQUN_WASM.then((bytes) => WebAssembly.compile(bytes))
  : WebAssembly.compileStreaming(fetch(new URL('./pkg/kequn_bg.wasm', import.meta.url)));
// Served cross-origin isolated (as `kequn serve` does), the core is the
// threaded build (www/pkg-threads): its work on blocks and columns is
// shared by THREADS workers over one memory, with the same results as on
// one. Anywhere else — the offline file, a server without the isolation
// headers, a page without that build — the plain one.
const THREADS = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4));
let core = plain;
let threadsFailed = null;
// The page is ready (its version shown) once the core is in place, before
// the threaded build's pool is: everything else waits for `pooled`, the
// pool's start, which falls back to the plain build if it fails.
let pooled = null;
async function start() {
  if (!self.KEQUN_WASM && self.crossOriginIsolated && THREADS > 1) {
    try {
      const threaded = await import('./pkg-threads/kequn.js');
      const wasm = await threaded.default({ module_or_path: new URL('./pkg-threads/kequn_bg.wasm', import.meta.url) });
      core = threaded;
      pooled = threaded.initThreadPool(THREADS).then(() => wasm, async (err) => {
        threadsFailed = String(err && err.message || err);
        const instance = await plain.default({ module_or_path: await compiled() });
        core = plain; // only once it can answer
        return instance;
      });
      return wasm;
    } catch (err) {
      threadsFailed = String(err && err.message || err); // the plain build below
    }
  }
  return plain.default({ module_or_path: await compiled() });
}
let ready = POOL ? null : start();
// The core as it will run a job: with its thread pool, or the plain build.
const working = async () => { await ready; return pooled ?? ready; };

// V8 runs wasm first in its baseline code and compiles a function for
// speed in the background once it has run a while: a first real file was
// parsed partly in the slow code, the compiling competing with the parse
// for the cores. While the analyst picks files, the core loads a small
// made-up table once (in one task: a run waits at most for that), and,
// where pool workers run a build of their own, one pool worker does too
// (it shares its compiled code with the workers of later runs).
const WARM_AFTER = 300;
function warmTable() {
  const cities = ['北京', '上海', 'Shenzhen', '"Guang, zhou"'];
  const rows = ['id,amount,share,city,opened,flag,note'];
  for (let i = 0; i < 30000; i++) {
    rows.push(`U${i},${(i * 7919) % 100003},${((i % 997) / 997).toFixed(4)},${cities[i % 4]},2024-${1 + (i % 12)}-${1 + (i % 28)},${i % 3 ? 'Y' : 'N'},"a ""${i % 13}"" b"`);
  }
  return new TextEncoder().encode(rows.join('\r\n'));
}
const WARM_RECIPE = { name: 'warm', inputs: [{ file: 'warm.csv' }] };
let warmed = null;
// Any message but these may leave state in the core (staged files, a
// memory cap for the tests): the warm-up is then skipped.
const LEAVES_CORE_AS_IT_IS = new Set(['version', 'threads', 'warmed', 'default_templates', 'default_naming', 'memory']);
let coreUsed = false;
async function warm() {
  await working();
  await new Promise((r) => setTimeout(r, WARM_AFTER));
  if (coreUsed) return 'skipped';
  const bytes = warmTable();
  try {
    core.set_parallel(true);
    core.stage_clear();
    core.stage_file('warm.csv', bytes.length);
    core.stage_chunk(bytes);
    core.stage_loaded(0, core.pool_load(JSON.stringify(WARM_RECIPE), 0, null));
  } finally {
    core.loaded_clear();
    core.stage_clear();
  }
  let loaded = 0;
  if (core !== plain && !self.KEQUN_WASM) {
    await loadInPool([{ input: 0, files: ['warm.csv'] }], [new File([bytes], 'warm.csv')], WARM_RECIPE, 1, () => {}, false, () => { loaded += 1; });
    if (!loaded) return 'the pool worker failed';
  }
  return 'done';
}
// (A warm-up that fails only leaves the code cold; the tests ask how it went.)
if (!POOL) warmed = warm().catch((err) => String(err && (err.message_en || err.message) || err));

// The office build (www/pkg-office): the core with the workbook reader and
// what is made from a report's JSON (a restored run's downloads, the CSV
// and SQL downloads), which the core every page start fetches goes
// without. Loaded on first need, in this worker, beside the core.
let officeReady = null;
const office = () => officeReady ??= import('./pkg-office/kequn.js').then(async (build) => ({
  core: build,
  wasm: await build.default({
    module_or_path: self.KEQUN_WASM ? await officeFromPage() : new URL('./pkg-office/kequn_bg.wasm', import.meta.url),
  }),
}));
// Offline, the office build's bytes are in the page (not in this worker's
// source, which every start would parse): it sends them when asked.
let officeAsked = null;
const officeFromPage = () => new Promise((resolve, reject) => {
  officeAsked = { resolve, reject };
  self.postMessage({ type: 'office_wasm' });
});
// Which build holds the run on screen, for its downloads: the core's last
// run, or the office build's (a run with a workbook among its files, or
// one restored from the history or a session file).
let last = null;
const noRun = () => {
  throw {
    code: 'recipe',
    message_en: 'No analysis has run in this worker yet; run it again, then download.',
    message_zh: '此后台尚未运行分析；请重新运行分析后再下载。',
  };
};
const NO_RUN = { workbook: noRun, report_html: noRun, last_offers_csv: noRun };

// Whether a file is an Excel workbook, by the core's own test on its
// first bytes (the magic of a zip or an OLE compound file).
const isWorkbook = async (file) => core.is_workbook(new Uint8Array(await file.slice(0, 4).arrayBuffer()));
const SLICE = 8 << 20;
// Files below this size are read by the recipe's worker itself: a pool
// worker's start and the table's crossing cost more than they save.
const POOL_MIN = 4 << 20;

// Copies a file into wasm memory a slice at a time (no whole copy in JS),
// the next slices read while one is copied in (a Blob's read goes through
// the browser's process: one at a time, it waited on each).
const AHEAD = 3;
async function stage(file, onBytes, into = core) {
  into.stage_file(file.name, file.size);
  const reads = [];
  const readFrom = (off) => {
    if (off >= file.size) return;
    const r = file.slice(off, off + SLICE).arrayBuffer();
    r.catch(() => {}); // told when its turn comes, not as unhandled
    reads.push(r);
  };
  for (let k = 0; k < AHEAD; k++) readFrom(k * SLICE);
  for (let off = 0; off < file.size; off += SLICE) {
    const chunk = new Uint8Array(await reads.shift());
    readFrom(off + AHEAD * SLICE);
    into.stage_chunk(chunk);
    onBytes(off + chunk.length);
  }
}

const MiB = (n) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB`
  : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(0)} MiB` : `${Math.max(1, Math.round(n / 1024))} KiB`);

// An allocation that did not fit aborts the core with a bare trap; the
// counted allocator says whether that is what happened.
function outOfMemory(at, build = core) {
  let size = 0, used = 0;
  try { [size, used] = [build.memory_failed_request(), build.memory_failed_in_use()]; } catch { return null; }
  if (!size) return null;
  const stage = at.stage || 'read';
  const pct = Math.round(at.fraction * 100);
  return {
    code: 'out_of_memory',
    message_en: `Out of memory at stage "${stage}" (${pct}% done): ${MiB(size)} more was needed with ${MiB(used)} in use, past what the page can hold (a browser gives one page at most 4 GiB). Your files are unchanged. Choose fewer columns, analyse a sample of the rows, or run the same recipe with the kequn command line, which has no such limit.`,
    message_zh: `内存不足：在“${stage}”阶段（已完成 ${pct}%）还需 ${MiB(size)}，当时已用 ${MiB(used)}，超出页面可用内存（浏览器每个页面最多 4 GiB）。文件未被修改。请减少列、对行抽样分析，或用 kequn 命令行运行同一配方（没有此限制）。`,
  };
}

// Loads inputs of the run in pool workers, up to `workers` at a time, each
// reading its own files, and hands each table's bytes to `onLoaded`. An
// input whose worker failed in any way is not handed over: the recipe's
// worker reads it itself (so its error, if any, is run's own).
async function loadInPool(jobs, files, recipe, workers, onProgress, failFirst, onLoaded) {
  const module = await compiled();
  const byName = new Map(files.map((f) => [f.name, f]));
  const queue = jobs.slice();
  const lane = async (first) => {
    let fail = first && failFirst;
    for (let job; (job = queue.shift());) {
      let pool = null;
      try {
        pool = await startPool();
        const bytes = await new Promise((resolve, reject) => {
          pool.port.onmessage = (m) => {
            if (m.data.type === 'progress') onProgress(m.data.stage, m.data.fraction);
            else if (m.data.type === 'done') resolve(m.data.bytes);
            else reject(m.data.error);
          };
          pool.failed(reject);
          pool.port.onmessageerror = reject;
          pool.port.postMessage({ type: 'pool_load', module: self.KEQUN_WASM ? null : module, recipe, input: job.input, files: job.files.map((n) => byName.get(n)), fail });
        });
        onLoaded(job.input, bytes);
      } catch {
        // Left to the recipe's worker.
      } finally {
        pool?.stop(); // its memory goes back now, not at the next run
        fail = false;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, (_, i) => lane(i === 0)));
}

// A pool worker to talk to through `port`: served, one this worker starts;
// offline, one the page starts on request (`spawn_pool`), whose port comes
// back as `pool_port` and whose crash the page reports as `pool_failed`.
const fromPage = new Map();
let poolSeq = 0;
function startPool() {
  if (!self.KEQUN_WASM) {
    const w = new Worker(`${self.location.href.split('#')[0]}#pool`, { type: 'module' });
    return Promise.resolve({
      port: w,
      failed: (reject) => { w.onerror = (err) => { err.preventDefault(); reject(err); }; },
      stop: () => w.terminate(),
    });
  }
  const seq = ++poolSeq;
  return new Promise((resolve, reject) => {
    fromPage.set(seq, { resolve, reject });
    self.postMessage({ type: 'spawn_pool', seq });
  });
}
function fromPageMessage(data, ports) {
  const waiting = fromPage.get(data.seq);
  if (!waiting) return;
  if (data.type === 'pool_port') {
    const port = ports[0];
    waiting.resolve({
      port,
      failed: (reject) => { waiting.reject = reject; },
      // The page's worker ends itself after its job; this asks it to end now.
      stop: () => { fromPage.delete(data.seq); port.postMessage({ type: 'close' }); port.close(); },
    });
  } else {
    fromPage.delete(data.seq);
    waiting.reject(new Error('the pool worker failed'));
  }
}

// A pool worker's one job: stage its files, load the input, send the bytes
// (to `out`: this worker's parent, or the port the page handed over).
async function poolJob(data, out = self) {
  // Offline the module does not cross a MessagePort (the message never
  // arrives): the page's pool worker compiles its own from the bytes its
  // source carries.
  ready ??= (data.module ? Promise.resolve(data.module) : self.KEQUN_WASM.then((b) => WebAssembly.compile(b)))
    .then((module) => plain.default({ module_or_path: module }));
  await ready;
  // The tests' failing worker: a trap outside any handler, as a crash comes.
  if (data.fail) { setTimeout(core.trap_for_tests); return; }
  core.stage_clear();
  for (const f of data.files) await stage(f, () => {});
  const bytes = core.pool_load(JSON.stringify(data.recipe), data.input,
    (stage, fraction) => out.postMessage({ type: 'progress', stage, fraction }));
  out.postMessage({ type: 'done', bytes }, [bytes.buffer]);
  // Its one job is done: its memory (the wasm's, which never shrinks) goes
  // back now, not when the recipe's worker, busy with its own file, reads
  // the message and stops it (the tab's peak at a million rows).
  self.close();
}

// A message a worker could not read is a failed job, not a silent one.
self.onmessageerror = () => self.postMessage({ type: 'error', error: 'the message could not be read' });

// A pool worker takes its job from `out`: served, this worker's parent;
// offline, the port the page sends it first. A failure, or a message it
// could not read, is told back there.
function servePool(out) {
  out.onmessage = async (m) => {
    if (m.data.type === 'port') { servePool(m.ports[0]); return; }
    if (m.data.type === 'close') { self.close(); return; }
    try { await poolJob(m.data, out); } catch (err) { out.postMessage({ type: 'error', error: String(err && err.message || err) }); }
  };
  out.onmessageerror = () => out.postMessage({ type: 'error', error: 'the message could not be read' });
}

self.onmessage = async (e) => {
  if (e.data.type === 'pool_port' || e.data.type === 'pool_failed') { fromPageMessage(e.data, e.ports); return; }
  if (e.data.type === 'office_wasm') {
    if (e.data.bytes) officeAsked?.resolve(e.data.bytes);
    else officeAsked?.reject(new Error(e.data.error));
    return;
  }
  const { id, recipe, files } = e.data;
  if (!LEAVES_CORE_AS_IT_IS.has(e.data.type)) coreUsed = true;
  const at = { stage: '', fraction: 0 };
  try {
    if (e.data.type === 'version') { await ready; self.postMessage({ id, type: 'done', report: core.version() }); return; }
    const wasm = await working();
    // The wasm linear memory (it only grows, so this is its peak): for benchmarks.
    if (e.data.type === 'memory') { self.postMessage({ id, type: 'done', report: wasm.memory.buffer.byteLength }); return; }
    if (e.data.type === 'trap') { core.trap_for_tests(); return; }
    if (e.data.type === 'memory_cap') { core.set_memory_cap_for_tests(e.data.relative ? core.memory_in_use() + e.data.bytes : e.data.bytes); self.postMessage({ id, type: 'done', report: null }); return; }
    if (e.data.type === 'bench_gbdt') { self.postMessage({ id, type: 'done', report: core.bench_gbdt(e.data.x, e.data.y, e.data.cols, e.data.test_rows, e.data.shap !== false) }); return; }
    if (e.data.type === 'bench_binning') { self.postMessage({ id, type: 'done', report: core.bench_binning(e.data.x, e.data.y, e.data.cols, e.data.categorical) }); return; }
    if (e.data.type === 'warmed') { self.postMessage({ id, type: 'done', report: await warmed }); return; }
    if (e.data.type === 'threads') { self.postMessage({ id, type: 'done', report: { threads: core.threaded() ? THREADS : 1, failed: threadsFailed } }); return; }
    if (e.data.type === 'candidates_csv') { self.postMessage({ id, type: 'done', report: (await office()).core.candidates_csv(JSON.stringify(e.data.candidates)) }); return; }
    if (e.data.type === 'rules_csv') { self.postMessage({ id, type: 'done', report: (await office()).core.rules_csv(JSON.stringify(e.data.sets)) }); return; }
    if (e.data.type === 'segments_csv') { self.postMessage({ id, type: 'done', report: core.segments_csv(e.data.ids, e.data.labels, e.data.names, e.data.memberships || []) }); return; }
    if (e.data.type === 'migration_csv') { self.postMessage({ id, type: 'done', report: (await office()).core.migration_csv(JSON.stringify(e.data.migration)) }); return; }
    if (e.data.type === 'model_sql') { self.postMessage({ id, type: 'done', report: (await office()).core.model_sql(JSON.stringify(e.data.model), e.data.dialect, e.data.table, e.data.id_column) }); return; }
    if (e.data.type === 'restore') {
      // Until the restored run is in place, no build's last run is the one
      // on screen: the downloads ask for a run, never give another's.
      last = NO_RUN;
      const o = (await office()).core;
      o.restore_last(JSON.stringify(e.data.recipe), JSON.stringify(e.data.report));
      last = o;
      self.postMessage({ id, type: 'done', report: null });
      return;
    }
    if (e.data.type === 'workbook') { self.postMessage({ id, type: 'done', report: (last ?? core).workbook() }); return; }
    if (e.data.type === 'report_html') { self.postMessage({ id, type: 'done', report: (last ?? core).report_html() }); return; }
    if (e.data.type === 'plans_csv') { self.postMessage({ id, type: 'done', report: (await office()).core.plans_csv(JSON.stringify(e.data.plans)) }); return; }
    if (e.data.type === 'default_templates') { self.postMessage({ id, type: 'done', report: core.default_templates(!!e.data.segments) }); return; }
    if (e.data.type === 'default_naming') { self.postMessage({ id, type: 'done', report: core.default_naming() }); return; }
    if (e.data.type === 'offers_csv') { self.postMessage({ id, type: 'done', report: (await office()).core.offers_csv(JSON.stringify(e.data.offers)) }); return; }
    if (e.data.type === 'last_offers_csv') { self.postMessage({ id, type: 'done', report: (last ?? core).last_offers_csv() }); return; }
    // A run with a workbook among its files runs in the office build, on
    // this worker alone; any other in the core.
    const books = (await Promise.all(files.map(isWorkbook))).some(Boolean);
    const runner = books ? await office() : { core, wasm };
    at.build = runner.core;
    const report_progress = (stage, fraction) => {
      Object.assign(at, { stage, fraction });
      self.postMessage({ id, type: 'progress', stage, fraction, in_use: runner.core.memory_in_use(), peak: runner.core.memory_peak_since(), linear: runner.wasm.memory.buffer.byteLength });
    };
    const stageAll = async (list, into = core) => {
      const total = list.reduce((s, f) => s + f.size, 0) || 1;
      let before = 0;
      for (const f of list) {
        await stage(f, (n) => report_progress('read', (before + n) / total), into);
        before += f.size;
      }
    };
    if (books) {
      const o = runner.core;
      o.loaded_clear();
      o.stage_clear();
      await stageAll(files, o);
      const report = o.run(JSON.stringify(recipe), [], report_progress);
      last = o;
      self.postMessage({ id, type: 'done', report, pooled: 0, threads: 1 });
      return;
    }
    // Inputs worth a worker of their own load side by side: this worker
    // loads the largest itself (no copy of its table, and its code is the
    // one already compiled for speed after a first run) while pool workers
    // load the others.
    const workers = Math.max(1, Math.floor(e.data.workers || 1));
    core.set_parallel(workers > 1);
    const jobs = workers > 1 ? core.pool_plan(JSON.stringify(recipe), files.map((f) => f.name), files.map((f) => f.size), e.data.pool_min ?? POOL_MIN) : [];
    const [mine, ...others] = jobs;
    core.loaded_clear();
    core.stage_clear();
    // A table taken as it arrives is one fewer held in JS.
    const apart = new Set();
    const pool = others.length ? loadInPool(others, files, recipe, workers - 1, report_progress, !!e.data.pool_fail, (input, bytes) => {
      core.stage_loaded(input, bytes);
      for (const n of others.find((j) => j.input === input).files) apart.add(n);
    }) : null;
    if (mine) {
      await stageAll(files.filter((f) => mine.files.includes(f.name)));
      if (core.load_here(JSON.stringify(recipe), mine.input, report_progress)) mine.files.forEach((n) => apart.add(n));
    }
    const inJobs = new Set(jobs.flatMap((j) => j.files));
    await stageAll(files.filter((f) => !inJobs.has(f.name)));
    await pool;
    // A table loaded apart comes with its file's name only; a file whose
    // load failed apart is read again here, and `run` says what is wrong.
    for (const f of files) if (apart.has(f.name)) core.stage_file(f.name, 0);
    await stageAll(files.filter((f) => inJobs.has(f.name) && !apart.has(f.name)));
    const report = core.run(JSON.stringify(recipe), [], report_progress);
    last = core;
    self.postMessage({ id, type: 'done', report, pooled: apart.size, threads: workers > 1 && core.threaded() ? THREADS : 1 });
  } catch (err) {
    const known = err && typeof err === 'object' && 'code' in err && 'message_zh' in err;
    const oom = known ? null : outOfMemory(at, at.build);
    self.postMessage({
      id, type: 'error', fatal: !known,
      error: known ? err : oom || {
        code: 'internal',
        message_en: `Internal error: ${err && err.message ? err.message : String(err)}. The analysis was stopped; your files are unchanged.`,
        message_zh: `内部错误：${err && err.message ? err.message : String(err)}。分析已停止，文件未被修改。`,
      },
    });
  }
};

// A pool worker serves its one job instead of a run.
if (POOL) servePool(self);
