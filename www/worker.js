// The Web Worker that owns the wasm core. The page sends File objects and a
// recipe; the worker copies the files into wasm memory in slices (reporting
// bytes read), runs recipe::run_owned, and posts progress, the report, or the
// error back.
import init, { run, stage_clear, stage_file, stage_chunk, version, candidates_csv, rules_csv, offers_csv, last_offers_csv, segments_csv, migration_csv, workbook, report_html, restore_last, plans_csv, default_templates, default_naming, trap_for_tests, bench_gbdt, bench_binning, model_sql, memory_failed_request, memory_failed_in_use, memory_in_use, memory_peak_since, set_memory_cap_for_tests } from './pkg/kequn.js';

// In the single offline file the wasm bytes come with the worker's source.
const ready = self.KEQUN_WASM ? self.KEQUN_WASM.then((bytes) => init({ module_or_path: bytes })) : init();
const SLICE = 8 << 20;

// Copies a file into wasm memory a slice at a time (no whole copy in JS).
async function stage(file, onBytes) {
  stage_file(file.name, file.size);
  for (let off = 0; off < file.size; off += SLICE) {
    const chunk = new Uint8Array(await file.slice(off, off + SLICE).arrayBuffer());
    stage_chunk(chunk);
    onBytes(off + chunk.length);
  }
}

const MiB = (n) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB`
  : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(0)} MiB` : `${Math.max(1, Math.round(n / 1024))} KiB`);

// An allocation that did not fit aborts the core with a bare trap; the
// counted allocator says whether that is what happened.
function outOfMemory(at) {
  let size = 0, used = 0;
  try { [size, used] = [memory_failed_request(), memory_failed_in_use()]; } catch { return null; }
  if (!size) return null;
  const stage = at.stage || 'read';
  const pct = Math.round(at.fraction * 100);
  return {
    code: 'out_of_memory',
    message_en: `Out of memory at stage "${stage}" (${pct}% done): ${MiB(size)} more was needed with ${MiB(used)} in use, past what the page can hold (a browser gives one page at most 4 GiB). Your files are unchanged. Choose fewer columns, analyse a sample of the rows, or run the same recipe with the kequn command line, which has no such limit.`,
    message_zh: `内存不足：在“${stage}”阶段（已完成 ${pct}%）还需 ${MiB(size)}，当时已用 ${MiB(used)}，超出页面可用内存（浏览器每个页面最多 4 GiB）。文件未被修改。请减少列、对行抽样分析，或用 kequn 命令行运行同一配方（没有此限制）。`,
  };
}

self.onmessage = async (e) => {
  const { id, recipe, files } = e.data;
  const at = { stage: '', fraction: 0 };
  try {
    await ready;
    // The wasm linear memory (it only grows, so this is its peak): for benchmarks.
    if (e.data.type === 'memory') { self.postMessage({ id, type: 'done', report: (await ready).memory.buffer.byteLength }); return; }
    if (e.data.type === 'trap') { trap_for_tests(); return; }
    if (e.data.type === 'memory_cap') { set_memory_cap_for_tests(e.data.relative ? memory_in_use() + e.data.bytes : e.data.bytes); self.postMessage({ id, type: 'done', report: null }); return; }
    if (e.data.type === 'bench_gbdt') { self.postMessage({ id, type: 'done', report: bench_gbdt(e.data.x, e.data.y, e.data.cols, e.data.test_rows, e.data.shap !== false) }); return; }
    if (e.data.type === 'bench_binning') { self.postMessage({ id, type: 'done', report: bench_binning(e.data.x, e.data.y, e.data.cols, e.data.categorical) }); return; }
    if (e.data.type === 'version') { self.postMessage({ id, type: 'done', report: version() }); return; }
    if (e.data.type === 'candidates_csv') { self.postMessage({ id, type: 'done', report: candidates_csv(e.data.candidates) }); return; }
    if (e.data.type === 'rules_csv') { self.postMessage({ id, type: 'done', report: rules_csv(e.data.sets) }); return; }
    if (e.data.type === 'segments_csv') { self.postMessage({ id, type: 'done', report: segments_csv(e.data.ids, e.data.labels, e.data.names, e.data.memberships || []) }); return; }
    if (e.data.type === 'migration_csv') { self.postMessage({ id, type: 'done', report: migration_csv(e.data.migration) }); return; }
    if (e.data.type === 'model_sql') { self.postMessage({ id, type: 'done', report: model_sql(e.data.model, e.data.dialect, e.data.table, e.data.id_column) }); return; }
    if (e.data.type === 'restore') { restore_last(JSON.stringify(e.data.recipe), JSON.stringify(e.data.report)); self.postMessage({ id, type: 'done', report: null }); return; }
    if (e.data.type === 'workbook') { self.postMessage({ id, type: 'done', report: workbook() }); return; }
    if (e.data.type === 'report_html') { self.postMessage({ id, type: 'done', report: report_html() }); return; }
    if (e.data.type === 'plans_csv') { self.postMessage({ id, type: 'done', report: plans_csv(e.data.plans) }); return; }
    if (e.data.type === 'default_templates') { self.postMessage({ id, type: 'done', report: default_templates(!!e.data.segments) }); return; }
    if (e.data.type === 'default_naming') { self.postMessage({ id, type: 'done', report: default_naming() }); return; }
    if (e.data.type === 'offers_csv') { self.postMessage({ id, type: 'done', report: offers_csv(e.data.offers) }); return; }
    if (e.data.type === 'last_offers_csv') { self.postMessage({ id, type: 'done', report: last_offers_csv() }); return; }
    const total = files.reduce((s, f) => s + f.size, 0) || 1;
    let before = 0;
    stage_clear();
    for (const f of files) {
      await stage(f, (n) => {
        Object.assign(at, { stage: 'read', fraction: (before + n) / total });
        self.postMessage({ id, type: 'progress', stage: 'read', fraction: (before + n) / total });
      });
      before += f.size;
    }
    const report = run(JSON.stringify(recipe), [],
      (stage, fraction) => { Object.assign(at, { stage, fraction }); self.postMessage({ id, type: 'progress', stage, fraction, in_use: memory_in_use(), peak: memory_peak_since() }); });
    self.postMessage({ id, type: 'done', report });
  } catch (err) {
    const known = err && typeof err === 'object' && 'code' in err && 'message_zh' in err;
    const oom = known ? null : outOfMemory(at);
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
