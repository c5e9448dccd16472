// The worker client: one analysis at a time in the wasm worker (call, cancel, progress bar, respawn on a trap).
import { t } from '../i18n.js';
import { $, chartsReady } from './helpers.js';

let worker = null;
let jobId = 0;
let pending = null;

// The single offline file (dist/kequn.html) carries the worker as a Blob
// URL and the sample files inline; served, both come from the page's origin.
export const OFFLINE = globalThis.KEQUN_OFFLINE || null;
// The first one was started by the page's boot script (www/boot.js), before
// the page's modules loaded.
export const spawnWorker = () => {
  const early = globalThis.KEQUN_EARLY_WORKER;
  globalThis.KEQUN_EARLY_WORKER = null;
  if (early && !early.failedEarly) return early;
  if (early) early.terminate();
  return OFFLINE ? new Worker(OFFLINE.worker)
    : new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });
};

// Offline, the page starts the run's pool workers for the worker (see
// worker.js) and hands it a MessagePort to each; they end with the run.
const poolWorkers = new Set();
function endPool() {
  for (const w of poolWorkers) w.terminate();
  poolWorkers.clear();
}
function spawnPool(seq) {
  const pool = new Worker(`${OFFLINE.worker}#pool`);
  const channel = new MessageChannel();
  poolWorkers.add(pool);
  pool.onerror = (err) => {
    err.preventDefault();
    pool.terminate();
    poolWorkers.delete(pool);
    worker.postMessage({ type: 'pool_failed', seq });
  };
  pool.postMessage({ type: 'port' }, [channel.port1]);
  worker.postMessage({ type: 'pool_port', seq }, [channel.port2]);
}

export function newWorker() {
  if (worker) worker.terminate();
  endPool();
  worker = spawnWorker();
  worker.onmessage = (e) => {
    const msg = e.data;
    if (msg.type === 'spawn_pool') { if (OFFLINE) spawnPool(msg.seq); return; }
    if (msg.type === 'office_wasm') {
      // The offline file's office build, which its worker asks for on first need.
      const to = worker;
      OFFLINE.office().then((bytes) => to.postMessage({ type: 'office_wasm', bytes }, [bytes]),
        (err) => to.postMessage({ type: 'office_wasm', error: String(err && err.message || err) }));
      return;
    }
    if (!pending || msg.id !== pending.id) return;
    if (msg.type === 'progress') return showProgress(msg.stage, msg.fraction);
    const p = pending;
    pending = null;
    hideProgress();
    endPool();
    if (msg.type === 'done') {
      // The tests compare whole reports across worker counts.
      if (RECORD && msg.pooled !== undefined) RECORD.push({ report: msg.report, pooled: msg.pooled, threads: msg.threads });
      p.resolve(msg.report);
    }
    else {
      if (msg.fatal) newWorker(); // a trapped wasm instance is not reused
      p.reject(msg.error);
    }
  };
  worker.onerror = (e) => {
    if (pending) {
      const p = pending; pending = null; hideProgress();
      p.reject({ code: 'internal', message_en: `Worker failed: ${e.message}`, message_zh: `后台计算失败：${e.message}` });
    }
    newWorker();
  };
}

// Workers that load a run's inputs side by side: one per core, at most 4
// (each holds its file while it loads it). On this 2-core machine two took
// the wealth run at 1M customers from 7.4 to 6.9 s (make bench-compare);
// the tab's peak was 782 MiB with one, 783–1049 MiB with two across runs
// (when the pool worker's peak meets the run's). `?workers=N` sets it (1: no pool);
// `pool_min` and `pool_fail` are for the tests.
export const defaultWorkers = (cores = navigator.hardwareConcurrency || 1) => Math.max(1, Math.min(cores, 4));
const params = new URLSearchParams(globalThis.location ? location.search : '');
const POOL = {
  workers: Number(params.get('workers')) || defaultWorkers(),
  ...(params.has('pool_min') ? { pool_min: Number(params.get('pool_min')) } : {}),
  ...(params.has('pool_fail') ? { pool_fail: true } : {}),
};

const RECORD = params.has('record_reports') ? (globalThis.kequnReports = []) : null;

export function call(payload) {
  // A newer job replaces the one running (a second click on Train): the old
  // one ends quietly, marked `superseded`, with no "cancelled" box.
  if (pending) cancel({ superseded: true });
  const id = ++jobId;
  const answer = new Promise((resolve, reject) => {
    pending = { id, resolve, reject };
    worker.postMessage({ id, ...POOL, ...payload });
  });
  // What comes back is drawn with charts: it waits for ECharts (loaded by
  // then but for the first moments of the page). The version, which marks
  // the page ready, does not: ECharts starts loading once it is answered.
  if (payload.type === 'version') {
    answer.then(chartsReady, chartsReady);
    return answer;
  }
  const drawable = chartsReady().catch(() => {});
  return answer.then((r) => drawable.then(() => r), (err) => drawable.then(() => { throw err; }));
}

export function cancel(how = {}) {
  if (!pending) return;
  const p = pending; pending = null;
  newWorker(); // terminating the worker is the one cancellation that always works
  hideProgress();
  p.reject({ code: 'cancelled', message_en: t('cancelled'), message_zh: t('cancelled'), cancelled: true, ...how });
}

function showProgress(stage, fraction) {
  $('progress').hidden = false;
  $('progress-fill').style.width = `${Math.round(fraction * 100)}%`;
  // Stages arrive as "file: step" from the core; show the step in the page's language.
  // "rules: <segment>" names the step first; a stage without words shows as it comes.
  let [file, step] = stage.includes(': ') ? stage.split(': ') : ['', stage];
  if (file === 'rules') [file, step] = [step, 'rules'];
  const words = t(`stage_${step}`);
  const name = (file ? `${file} · ` : '') + (words === `stage_${step}` ? step : words);
  $('progress-label').textContent = `${name} — ${Math.round(fraction * 100)}%`;
}
function hideProgress() { $('progress').hidden = true; }
