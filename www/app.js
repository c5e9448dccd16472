// The page: collects files and options, builds a recipe, runs it in the
// worker, and shows the report. No data leaves the browser.
import { t, setLang, getLang, applyStatic } from './i18n.js';
import * as echarts from './vendor/echarts.esm.min.mjs';

const $ = (id) => document.getElementById(id);
const SAMPLE = ['samples/customers.csv'];

let worker = null;
let jobId = 0;
let pending = null;
let chosenFiles = [];
let lastReport = null;
// What the last analysis ran on, so the label editor can re-run it.
let current = null;
let chart = null;
// Column types the user set, by file name then column name; sent as LoadOptions.types.
let typeOverrides = {};
const KINDS = ['numeric', 'categorical', 'date', 'id', 'text'];

// A second worker checks the label rule while the analyst types, so that a
// check never cancels (or waits behind) the analysis in the main worker.
let checker = null;
let checkId = 0;
let checkTimer = null;
// Above this many bytes of input the check would take seconds: check on Train.
const LIVE_CHECK_LIMIT = 64 << 20;

// The single offline file (dist/kequn.html) carries the worker as a Blob
// URL and the sample files inline; served, both come from the page's origin.
const OFFLINE = globalThis.KEQUN_OFFLINE || null;
const spawnWorker = () => (OFFLINE ? new Worker(OFFLINE.worker)
  : new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));

function newWorker() {
  if (worker) worker.terminate();
  worker = spawnWorker();
  worker.onmessage = (e) => {
    const msg = e.data;
    if (!pending || msg.id !== pending.id) return;
    if (msg.type === 'progress') return showProgress(msg.stage, msg.fraction);
    const p = pending;
    pending = null;
    hideProgress();
    if (msg.type === 'done') p.resolve(msg.report);
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

function call(payload) {
  if (pending) cancel();
  const id = ++jobId;
  return new Promise((resolve, reject) => {
    pending = { id, resolve, reject };
    worker.postMessage({ id, ...payload });
  });
}

function cancel() {
  if (!pending) return;
  const p = pending; pending = null;
  newWorker(); // terminating the worker is the one cancellation that always works
  hideProgress();
  p.reject({ code: 'cancelled', message_en: t('cancelled'), message_zh: t('cancelled'), cancelled: true });
}

function showProgress(stage, fraction) {
  $('progress').hidden = false;
  $('progress-fill').style.width = `${Math.round(fraction * 100)}%`;
  // Stages arrive as "file: step" from the core; show the step in the page's language.
  const [file, step] = stage.includes(': ') ? stage.split(': ') : ['', stage];
  const name = (file ? `${file} · ` : '') + t(`stage_${step}`);
  $('progress-label').textContent = `${name} — ${Math.round(fraction * 100)}%`;
}
function hideProgress() { $('progress').hidden = true; }

function recipeFor(dataFiles, columnsFile) {
  const options = {};
  const enc = $('encoding').value, del = $('delimiter').value, hdr = $('header').value;
  if (enc !== 'auto') options.encoding = enc;
  if (del !== 'auto') options.delimiter = del === 'tab' ? '\t' : del;
  if (hdr !== 'auto') options.header = hdr === 'yes';
  const inputs = dataFiles.map((f, i) => ({
    file: f.name,
    options: typeOverrides[f.name] ? { ...options, types: typeOverrides[f.name] } : options,
    ...(columnsFile && i === 0 ? { columns_file: columnsFile.name } : {}),
  }));
  const recipe = { name: 'profile', inputs };
  const key = $('join-key').value.trim();
  if (key && dataFiles.length >= 2) {
    recipe.join = { left: dataFiles[0].name, right: dataFiles[1].name, on: key, how: $('join-how').value };
  }
  return recipe;
}

// `preset`: a scenario's recipe, used as it is (with `all` its files and column lists).
async function analyse(files, preset = null, all = null) {
  if (files !== chosenFiles) typeOverrides = {}; // new files start from inferred types
  chosenFiles = files;
  $('chosen').textContent = files.map((f) => f.name).join(', ');
  $('error').hidden = true;
  // Results of the previous files would be mistaken for these: clear them.
  $('results').replaceChildren();
  $('chart-card').hidden = true;
  lastReport = null;
  const columnsFile = preset ? null : $('columns-input').files[0] || null;
  const inputs = all || (columnsFile ? [...files, columnsFile] : files);
  try {
    const recipe = preset || recipeFor(files, columnsFile);
    current = { files, recipe, inputs };
    $('label-card').hidden = false;
    // The editor shows this recipe's rule and id column; new files start empty.
    $('label-rule').value = recipe.label ? recipe.label.rule : '';
    $('label-id').value = recipe.candidates ? recipe.candidates.id : '';
    scheduleCheck();
    const report = await call({ type: 'run', recipe, files: inputs });
    lastReport = report;
    renderReport(report);
  } catch (err) {
    showError(err);
  }
}

// Train with the rule the analyst typed, on the files already loaded.
async function trainWithRule() {
  if (!current) return;
  const rule = $('label-rule').value.trim();
  const id = $('label-id').value.trim();
  const base = current.recipe;
  const recipe = {
    ...base,
    label: { ...(base.label || {}), rule },
    model: base.model || { kind: 'logistic', also: ['tree'], test_share: 0.3, seed: 42 },
    features: base.features || { dates: 'days_before' },
  };
  if (id) recipe.candidates = { ...(base.candidates || { top: 100, exclude_positive: true }), id };
  else delete recipe.candidates;
  const files = current.files;
  await analyse(files, recipe, current.inputs);
}

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(checkRule, 300);
}

// Evaluates the typed rule over the loaded files: the positive share, the
// columns it reads, or the error with its caret.
function checkRule() {
  const out = $('label-check');
  const rule = $('label-rule').value.trim();
  const id = ++checkId; // an answer to an earlier check is stale from now on
  if (!current || !rule) { out.textContent = ''; out.className = 'check'; return; }
  const size = current.inputs.reduce((s, f) => s + f.size, 0);
  if (size > LIVE_CHECK_LIMIT) { out.textContent = t('check_on_train'); out.className = 'check'; return; }
  if (!checker) {
    checker = spawnWorker();
    checker.onmessage = (e) => {
      const msg = e.data;
      if (msg.id !== checkId || msg.type === 'progress') return;
      if (msg.type === 'done' && msg.report.label) {
        const l = msg.report.label;
        out.className = 'check ok';
        out.textContent = t('check_ok', { pos: l.positives.toLocaleString(), rows: l.rows.toLocaleString(),
          rate: pct(l.positives / Math.max(1, l.rows)), cols: l.columns.join('、') })
          + (l.unknown ? ` · ${t('unknown_label', { n: l.unknown })}` : '')
          + (l.positives === 0 || l.positives === l.rows ? ` · ${t('check_one_class')}` : '');
      } else if (msg.type === 'error') {
        out.className = 'check bad';
        out.textContent = getLang() === 'zh' ? msg.error.message_zh : msg.error.message_en;
        if (msg.fatal) { checker.terminate(); checker = null; }
      }
    };
  }
  const { model, candidates, features, segment, basket, plan, outputs, ...base } = current.recipe;
  const recipe = { ...base, label: { ...(base.label || {}), rule } };
  out.className = 'check';
  out.textContent = t('checking');
  checker.postMessage({ id, type: 'run', recipe, files: current.inputs });
}

// Applies a model saved from an earlier run to the loaded files.
// The monthly re-run: a saved model (and, optionally, this month's files,
// which stand in for the recipe's inputs: same name first, else in order)
// through the same recipe — aggregation, lists, plans — with the
// comparison against the model's month. As `kequn run recipe --model`.
async function applyModel(picked) {
  if (!current || !picked.length) return;
  const model = picked.find((f) => f.name.toLowerCase().endsWith('.json'));
  if (!model) { showError({ code: 'recipe', message_en: t('apply_needs_model'), message_zh: t('apply_needs_model') }); return; }
  const data = picked.filter((f) => f !== model);
  const id = $('label-id').value.trim();
  if (!id) { showError({ code: 'recipe', message_en: t('apply_needs_id'), message_zh: t('apply_needs_id') }); return; }
  const base = current.recipe;
  const recipe = JSON.parse(JSON.stringify(base));
  const rename = {};
  const free = data.filter((f) => !base.inputs.some((i) => i.file === f.name));
  for (const inp of base.inputs) {
    if (!data.some((f) => f.name === inp.file) && free.length) rename[inp.file] = free.shift().name;
  }
  const swap = (n) => rename[n] || n;
  recipe.inputs.forEach((i) => { i.file = swap(i.file); });
  if (recipe.join) { recipe.join.left = swap(recipe.join.left); recipe.join.right = swap(recipe.join.right); }
  if (recipe.aggregate) { recipe.aggregate.from = swap(recipe.aggregate.from); recipe.aggregate.into = swap(recipe.aggregate.into); }
  recipe.model = { kind: 'logistic', apply: model.name };
  recipe.candidates = { top: 100, exclude_positive: false, ...(base.candidates || {}), id };
  // This month's outcome is not known yet; segments are a separate run.
  delete recipe.label; delete recipe.segment; delete recipe.overview;
  const replaced = new Set([...data.map((f) => f.name), ...Object.keys(rename), model.name]);
  const files = [...current.inputs.filter((f) => !replaced.has(f.name)), ...data, model];
  $('error').hidden = true;
  try {
    const report = await call({ type: 'run', recipe, files });
    lastReport = report;
    renderReport(report);
  } catch (err) {
    showError(err);
  }
}

function downloadFile(text, name, type) {
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a); a.click(); a.remove();
}

function showError(err) {
  const box = $('error');
  box.hidden = false;
  box.replaceChildren();
  box.dataset.code = err.code || 'internal';
  const h = document.createElement('h3');
  h.textContent = err.cancelled ? t('cancelled') : t('error_title');
  box.append(h);
  if (err.cancelled) return;
  // Both languages, the user's first.
  const [first, second] = getLang() === 'zh' ? [err.message_zh, err.message_en] : [err.message_en, err.message_zh];
  for (const [cls, text] of [['primary', first], ['secondary', second]]) {
    const p = document.createElement(err.code === 'rule' ? 'pre' : 'p');
    p.className = cls; p.textContent = text; box.append(p);
  }
  // A type the user forced did not fit: offer the way back in one click.
  const forced = err.code === 'bad_value' && typeOverrides[err.file] && typeOverrides[err.file][err.column];
  if (forced) {
    const undo = el('button', { type: 'button', 'data-testid': 'undo-type' }, t('undo_type', { column: err.column }));
    undo.addEventListener('click', () => {
      delete typeOverrides[err.file][err.column];
      analyse(chosenFiles);
    });
    box.append(undo);
  }
  const where = [err.file, err.line != null ? `${t('line')} ${err.line}` : null, err.column ? `${t('column')} “${err.column}”` : null].filter(Boolean);
  if (where.length) {
    const p = document.createElement('p'); p.className = 'where';
    p.textContent = `${t('where')}: ${where.join(' · ')}`; box.append(p);
  }
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    // Attributes that are not properties of the same name go through setAttribute.
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'tabindex' || k === 'role') e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

const fmt = (x) => x == null ? '–' : Math.abs(x) >= 1e4 ? Math.round(x).toLocaleString() : String(Math.round(x * 100) / 100);

function summary(c) {
  if (c.min_text) return `${c.min_text} … ${c.max_text}`;
  if (c.median != null) return `${t('min')} ${fmt(c.min)} · ${t('median')} ${fmt(c.median)} · ${t('max')} ${fmt(c.max)}`;
  return c.top.slice(0, 3).map(([k, n]) => `${k} (${n})`).join(', ');
}

function sparkline(c) {
  const counts = c.histogram ? c.histogram.counts : c.top.map(([, n]) => n);
  if (!counts.length) return '';
  const max = Math.max(...counts), w = 80, h = 20, bw = w / counts.length;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', w); svg.setAttribute('height', h); svg.setAttribute('class', 'spark');
  counts.forEach((n, i) => {
    const r = document.createElementNS(ns, 'rect');
    const bh = max ? Math.max(1, (n / max) * h) : 0;
    r.setAttribute('x', i * bw); r.setAttribute('y', h - bh);
    r.setAttribute('width', Math.max(1, bw - 1)); r.setAttribute('height', bh);
    svg.append(r);
  });
  return svg;
}

// The type badge is a picker for a loaded file's columns: changing it reloads
// the file with that type forced (a value that does not fit is reported).
function kindCell(c, tableName) {
  if (tableName === 'join') return el('span', { class: `kind ${c.kind}`, 'data-kind': c.kind }, t(c.kind));
  const sel = el('select', { class: `kind ${c.kind}`, 'data-kind': c.kind, 'data-testid': 'kind-select', title: t('change_type') },
    ...KINDS.map((k) => { const o = el('option', { value: k }, t(k)); o.selected = k === c.kind; return o; }));
  sel.addEventListener('click', (e) => e.stopPropagation());
  sel.addEventListener('change', () => {
    typeOverrides[tableName] = { ...(typeOverrides[tableName] || {}), [c.name]: sel.value };
    if (chosenFiles.length) analyse(chosenFiles);
  });
  return sel;
}

function columnTable(cols, tableName) {
  const head = el('tr', {}, ...['col_name', 'col_type', 'col_missing', 'col_distinct', 'col_summary', 'col_hist'].map((k) => el('th', {}, t(k))));
  const rows = cols.map((c) => {
    // Rows are focusable: Tab to a column, Enter or Space shows its chart.
    const tr = el('tr', { 'data-column': c.name, tabindex: '0' },
      el('td', { class: 'name' }, c.name),
      el('td', {}, kindCell(c, tableName)),
      el('td', { class: 'num' }, `${(c.missing_share * 100).toFixed(1)}%`),
      el('td', { class: 'num' }, String(c.distinct)),
      el('td', { class: 'summary' }, summary(c)),
      el('td', {}, sparkline(c)));
    tr.addEventListener('click', () => showChart(c, tableName));
    tr.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target === tr) { e.preventDefault(); showChart(c, tableName); }
    });
    return tr;
  });
  return el('table', { class: 'columns' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

function renderReport(report) {
  const root = $('results');
  root.replaceChildren();
  for (const tr of report.tables) {
    const l = tr.load;
    const card = el('section', { class: 'card table-card', 'data-testid': 'table-card', 'data-file': l.file },
      el('h2', {}, l.file),
      el('p', { class: 'meta', 'data-testid': 'table-meta' },
        `${l.rows.toLocaleString()} ${t('rows')} × ${l.columns} ${t('columns')} · ${t('file_encoding')} ${l.encoding} · ${t('file_delimiter')} “${l.delimiter}” · ${t('file_header')} ${l.header ? t('yes') : t('no')}`),
      ...l.warnings.map((w) => el('p', { class: 'warning' }, `${t('warning')}: ${w}`)),
      el('p', { class: 'hint' }, t('click_for_chart')),
      columnTable(tr.columns, l.file));
    root.append(card);
  }
  if (report.alerts && report.alerts.length) root.append(alertsCard(report.alerts));
  root.append(exportBar(report));
  if (report.overview) root.append(overviewCard(report.overview, report.label));
  if (report.model) root.append(modelCard(report.model));
  if (report.applied) root.append(appliedCard(report.applied));
  if (report.segment) root.append(segmentCard(report.segment));
  if (report.basket) root.append(basketCard(report.basket));
  if (report.plan) root.append(planCard(report.plan));
  if (report.join) {
    const r = report.join.report;
    root.append(el('section', { class: 'card table-card', 'data-testid': 'join-card' },
      el('h2', {}, `${t('join_title')}: ${r.left} + ${r.right} (${r.key})`),
      el('p', { class: 'meta', 'data-testid': 'join-meta' }, t('join_summary', {
        rows: r.rows, ml: r.matched_left, ul: r.unmatched_left, ur: r.unmatched_right,
        dl: r.duplicate_keys_left, dr: r.duplicate_keys_right })),
      ...r.warnings.map((w) => el('p', { class: 'warning' }, `${t('warning')}: ${w}`)),
      columnTable(report.join.columns, 'join')));
  }
  for (const chart of root.querySelectorAll('.roc')) addPngButton(chart);
}

// Large amounts: 万/亿 in Chinese, thousands separators in English.
function money(x) {
  if (x == null) return '–';
  if (getLang() === 'zh') {
    if (Math.abs(x) >= 1e8) return `${(x / 1e8).toLocaleString('zh-CN', { maximumFractionDigits: 2 })}亿`;
    if (Math.abs(x) >= 1e4) return `${(x / 1e4).toLocaleString('zh-CN', { maximumFractionDigits: 1 })}万`;
  }
  return Math.round(x).toLocaleString('en-US');
}

// The overview dashboard (分层分析): KPIs, distributions, lifecycle funnel,
// behaviour-vs-assets correlation heatmap.
function overviewCard(o, label) {
  const kpis = [[t('kpi_customers'), o.customers.toLocaleString('en-US')]];
  if (o.total_assets != null) kpis.push([t('kpi_total_assets'), money(o.total_assets)], [t('kpi_mean_assets'), money(o.mean_assets)], [t('kpi_median_assets'), money(o.median_assets)]);
  if (label) kpis.push([t('kpi_label_rate'), pct(label.positives / Math.max(1, label.rows))]);
  const charts = o.distributions.map((d) => [d, el('div', { class: 'roc', 'data-testid': `dist-${d.column}` })]);
  const funnel = o.funnel ? el('div', { class: 'roc', 'data-testid': 'funnel' }) : null;
  const heat = o.correlation.length ? el('div', { class: 'roc', 'data-testid': 'correlation' }) : null;
  const card = el('section', { class: 'card table-card', 'data-testid': 'overview-card' },
    el('h2', {}, t('overview_title')),
    el('div', { class: 'kpis', 'data-testid': 'overview-kpis' }, ...kpis.map(([k, v]) => el('div', { class: 'kpi', 'data-kpi': k }, el('span', { class: 'k' }, k), el('b', {}, v)))),
    el('div', { class: 'two' }, ...charts.map(([, c]) => c), funnel, heat));
  requestAnimationFrame(() => {
    for (const [d, div] of charts) {
      echarts.init(div, null, { renderer: 'canvas' }).setOption({
        animation: false, title: { text: t('dist_title', { col: d.column }), left: 'center', textStyle: { fontSize: 13 } },
        tooltip: {}, grid: { left: 50, right: 15, top: 30, bottom: 40 },
        xAxis: { type: 'category', data: d.levels, axisLabel: { interval: 0, rotate: d.levels.length > 6 ? 30 : 0 } },
        yAxis: { type: 'value' }, series: [{ type: 'bar', data: d.counts, itemStyle: { color: PALETTE[0] } }],
      });
    }
    if (funnel) {
      echarts.init(funnel, null, { renderer: 'canvas' }).setOption({
        animation: false, title: { text: t('funnel_title', { col: o.funnel.column }), left: 'center', textStyle: { fontSize: 13 } }, tooltip: {},
        series: [{ type: 'funnel', sort: 'none', top: 30, bottom: 10, minSize: '8%', label: { formatter: '{b}: {c}' },
          data: o.funnel.levels.map((l, i) => ({ name: l, value: o.funnel.counts[i] })) }],
      });
    }
    if (heat) {
      const data = o.correlation.flatMap((row, r) => row.map((v, c) => [c, r, v == null ? '-' : +v.toFixed(2)]));
      echarts.init(heat, null, { renderer: 'canvas' }).setOption({
        animation: false, title: { text: t('corr_title'), left: 'center', textStyle: { fontSize: 13 } }, tooltip: {},
        grid: { left: 150, right: 20, top: 30, bottom: 70 },
        xAxis: { type: 'category', data: o.correlation_columns, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: 'category', data: o.correlation_rows },
        visualMap: { min: -1, max: 1, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, show: false, inRange: { color: ['#3b6fb6', '#f7f7f7', '#d9534f'] } },
        series: [{ type: 'heatmap', data, label: { show: true, fontSize: 10 } }],
      });
    }
  });
  return card;
}

// Each chart can be saved as a PNG image (drawn by ECharts at twice the size).
function addPngButton(chart) {
  const name = chart.dataset.testid || 'chart';
  const btn = el('button', { type: 'button', class: 'png', 'data-testid': `png-${name}`, title: t('save_png') }, 'PNG');
  btn.addEventListener('click', () => {
    const inst = echarts.getInstanceByDom(chart);
    if (!inst) return;
    const a = el('a', { href: inst.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' }), download: `${name}.png` });
    document.body.append(a); a.click(); a.remove();
  });
  // A box keeps chart and button one cell of the card's grid.
  const box = el('div', { class: 'chart-box' });
  chart.replaceWith(box);
  box.append(chart, btn);
}

const pct = (x) => `${(x * 100).toFixed(1)}%`;

// The candidate list: sortable by clicking a heading (or Enter on it),
// searchable by customer id or reason, 20 rows a page.
function candidateTable(all) {
  const PAGE = 20;
  const ranked = all.map((c, i) => ({ ...c, rank: i + 1 }));
  let page = 0, key = 'rank', dir = 1, query = '';
  const body = el('tbody', {});
  const meta = el('span', { class: 'meta', 'data-testid': 'candidates-meta' });
  const prev = el('button', { type: 'button', 'data-testid': 'candidates-prev' }, t('prev'));
  const next = el('button', { type: 'button', 'data-testid': 'candidates-next' }, t('next'));
  const search = el('input', { type: 'search', placeholder: t('candidate_search'), 'data-testid': 'candidates-search' });
  const rows = () => {
    const q = query.trim();
    const list = q ? ranked.filter((c) => c.id.includes(q) || c.reasons.some(([s]) => s.includes(q))) : ranked.slice();
    const val = (c) => (key === 'customer' ? c.id : key === 'probability' ? c.probability : c.rank);
    return list.sort((a, b) => (val(a) < val(b) ? -dir : val(a) > val(b) ? dir : 0));
  };
  const show = () => {
    const list = rows();
    const pages = Math.max(1, Math.ceil(list.length / PAGE));
    page = Math.min(page, pages - 1);
    body.replaceChildren(...list.slice(page * PAGE, (page + 1) * PAGE).map((c) => el('tr', { 'data-id': c.id },
      el('td', { class: 'num' }, String(c.rank)), el('td', {}, c.id), el('td', { class: 'num' }, pct(c.probability)),
      el('td', { class: 'summary' }, c.reasons.map(([s, v]) => `${s} (+${v.toFixed(2)})`).join('，')))));
    meta.textContent = t('candidates_meta', { n: list.length, page: page + 1, pages });
    prev.disabled = page === 0; next.disabled = page + 1 >= pages;
  };
  const heads = ['rank', 'customer', 'probability', 'reasons'].map((k) => {
    if (k === 'reasons') return el('th', {}, t(k));
    const th = el('th', { class: 'sortable', tabindex: '0', 'data-sort': k, 'aria-sort': 'none' }, t(k));
    const sortBy = () => {
      dir = key === k ? -dir : (k === 'probability' ? -1 : 1);
      key = k; page = 0;
      for (const h of thead.querySelectorAll('th[data-sort]')) h.setAttribute('aria-sort', h.dataset.sort === key ? (dir > 0 ? 'ascending' : 'descending') : 'none');
      show();
    };
    th.addEventListener('click', sortBy);
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(); } });
    return th;
  });
  const thead = el('thead', {}, el('tr', {}, ...heads));
  search.addEventListener('input', () => { query = search.value; page = 0; show(); });
  prev.addEventListener('click', () => { page--; show(); });
  next.addEventListener('click', () => { page++; show(); });
  show();
  return el('div', {}, el('div', { class: 'row' }, search, prev, next, meta),
    el('table', { class: 'columns', 'data-testid': 'candidates' }, thead, body));
}

// Label, metrics, ROC, strongest coefficients and the candidate list.
function modelCard(m) {
  const mt = m.metrics;
  const kpis = [['AUC', mt.auc.toFixed(3)], [t('cv_auc'), m.cv_auc == null ? '–' : m.cv_auc.toFixed(3)], ['KS', mt.ks.toFixed(3)],
    [t('accuracy'), pct(mt.accuracy)], [t('precision'), pct(mt.precision)], [t('recall'), pct(mt.recall)], ['F1', mt.f1.toFixed(3)]];
  const kpiRow = el('div', { class: 'kpis' }, ...kpis.map(([k, v]) => el('div', { class: 'kpi', 'data-kpi': k }, el('span', { class: 'k' }, k), el('b', {}, v))));
  const coefRows = m.coefficients.slice(0, 10).map((c) => el('tr', {}, el('td', {}, c.feature),
    el('td', { class: 'num' }, c.coef.toFixed(3)), el('td', { class: 'num' }, c.odds_ratio.toFixed(2))));
  const coefTable = el('table', { class: 'columns' }, el('thead', {}, el('tr', {}, ...['feature', 'coef', 'odds_ratio'].map((k) => el('th', {}, t(k))))), el('tbody', {}, ...coefRows));
  const candTable = candidateTable(m.candidates);
  const coefChart = el('div', { class: 'roc', 'data-testid': 'coef-chart' });
  const roc = el('div', { class: 'roc', 'data-testid': 'roc' });
  // The CSV is written by the core (UTF-8 with BOM, so Excel shows Chinese) and saved from a blob: URL.
  const download = el('button', { type: 'button', 'data-testid': 'download-candidates' }, t('download_csv'));
  download.addEventListener('click', async () => {
    const text = await call({ type: 'candidates_csv', candidates: m.candidates });
    downloadFile(text, 'candidates.csv', 'text/csv;charset=utf-8');
  });
  // The saved model applies to next month's file here or with `kequn score`.
  const saveModel = el('button', { type: 'button', 'data-testid': 'save-model' }, t('save_model'));
  saveModel.addEventListener('click', () => downloadFile(JSON.stringify(m.model, null, 1), 'model.json', 'application/json'));
  // Threshold slider: the confusion matrix at any cut, from the ROC points and their scores.
  const P = mt.positives, N = mt.rows - mt.positives;
  const confusion = el('div', { 'data-testid': 'confusion' });
  const slider = el('input', { type: 'range', min: '0.01', max: '0.99', step: '0.01', value: '0.5', 'data-testid': 'threshold' });
  const showCut = () => {
    const cut = Number(slider.value);
    let k = 0;
    while (k + 1 < mt.roc_thresholds.length && mt.roc_thresholds[k + 1] >= cut) k++;
    const [fpr, tpr] = mt.roc[k];
    const tp = Math.round(tpr * P), fp = Math.round(fpr * N), fn = P - tp, tn = N - fp;
    const prec = tp + fp ? tp / (tp + fp) : 0, rec = P ? tp / P : 0;
    confusion.replaceChildren(
      el('p', { class: 'meta' }, `${t('threshold')} ${cut.toFixed(2)} · ${t('precision')} ${pct(prec)} · ${t('recall')} ${pct(rec)}`),
      el('table', { class: 'columns confusion' },
        el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, t('pred_neg')), el('th', {}, t('pred_pos')))),
        el('tbody', {},
          el('tr', {}, el('th', {}, t('actual_neg')), el('td', { class: 'num', 'data-cell': 'tn' }, String(tn)), el('td', { class: 'num', 'data-cell': 'fp' }, String(fp))),
          el('tr', {}, el('th', {}, t('actual_pos')), el('td', { class: 'num', 'data-cell': 'fn' }, String(fn)), el('td', { class: 'num', 'data-cell': 'tp' }, String(tp))))));
  };
  slider.addEventListener('input', showCut);
  showCut();
  const gains = el('div', { class: 'roc', 'data-testid': 'gains' });
  const card = el('section', { class: 'card table-card', 'data-testid': 'model-card' },
    el('h2', {}, `${t('model_title')}: ${m.label_rule}`),
    el('p', { class: 'meta', 'data-testid': 'model-meta' }, t('model_summary', { rows: m.rows, pos: m.positives, rate: pct(m.positives / m.rows), train: m.train_rows, test: m.test_rows })),
    m.leakage_removed.length ? el('p', { class: 'warning', 'data-testid': 'leakage' }, t('leakage', { cols: m.leakage_removed.join('、') })) : null,
    m.unknown_label_rows ? el('p', { class: 'warning' }, t('unknown_label', { n: m.unknown_label_rows })) : null,
    m.dropped_rows ? el('p', { class: 'warning' }, t('dropped_rows', { n: m.dropped_rows })) : null,
    m.dropped_columns.length ? el('p', { class: 'hint' }, `${t('dropped_columns')}: ${m.dropped_columns.map((d) => `${d.column}（${d.reason}）`).join('，')}`) : null,
    kpiRow,
    el('div', { class: 'two' }, roc, coefChart),
    el('div', {}, el('h3', {}, t('top_coefficients')), coefTable),
    el('div', { class: 'two' }, gains, el('div', {}, el('h3', {}, t('confusion_title')), slider, confusion)),
    m.tree ? el('div', { 'data-testid': 'tree-rules' }, el('h3', {}, t('tree_title', { auc: m.tree.auc.toFixed(3), leaves: m.tree.leaves })),
      el('ol', { class: 'rules' }, ...m.tree.rules.slice(0, 6).map((r) => el('li', {},
        `${t('if')} ${r.conditions.join(` ${t('and')} `)} → ${pct(r.positive_rate)}（${r.rows} ${t('rows')}）`)))) : null,
    el('h3', {}, t('candidates_title', { n: m.candidates.length, shown: Math.min(20, m.candidates.length) })),
    el('div', { class: 'row' }, download, saveModel),
    candTable);
  // The chart needs the element in the page to size itself.
  requestAnimationFrame(() => {
    const c = echarts.init(roc, null, { renderer: 'canvas' });
    c.setOption({
      animation: false, title: { text: 'ROC', left: 'center', textStyle: { fontSize: 13 } },
      grid: { left: 45, right: 15, top: 30, bottom: 35 },
      xAxis: { type: 'value', min: 0, max: 1, name: 'FPR', nameLocation: 'middle', nameGap: 22 },
      yAxis: { type: 'value', min: 0, max: 1, name: 'TPR' },
      series: [{ type: 'line', showSymbol: false, data: mt.roc, areaStyle: { opacity: 0.1 } },
        { type: 'line', showSymbol: false, data: [[0, 0], [1, 1]], lineStyle: { type: 'dashed', color: '#999' } }],
    });
    // The strongest coefficients as bars: red raises the probability, blue lowers it.
    const top = m.coefficients.slice(0, 15).reverse();
    const cc = echarts.init(coefChart, null, { renderer: 'canvas' });
    cc.setOption({
      animation: false, title: { text: t('coef_chart'), left: 'center', textStyle: { fontSize: 13 } },
      tooltip: {}, grid: { left: 150, right: 20, top: 30, bottom: 25 },
      xAxis: { type: 'value' }, yAxis: { type: 'category', data: top.map((c) => c.feature), axisLabel: { width: 140, overflow: 'truncate' } },
      series: [{ type: 'bar', data: top.map((c) => ({ value: +c.coef.toFixed(4), itemStyle: { color: c.coef >= 0 ? '#ee6666' : '#5470c6' } })) }],
    });
    const g = echarts.init(gains, null, { renderer: 'canvas' });
    g.setOption({
      animation: false, title: { text: t('gains_title'), left: 'center', textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' }, grid: { left: 45, right: 45, top: 30, bottom: 35 },
      xAxis: { type: 'category', data: mt.deciles.map((_, i) => `${(i + 1) * 10}%`) },
      yAxis: [{ type: 'value', name: t('lift') }, { type: 'value', min: 0, max: 1, name: t('gain') }],
      series: [{ type: 'bar', name: t('lift'), data: mt.deciles.map((d) => +d.lift.toFixed(2)) },
        { type: 'line', name: t('gain'), yAxisIndex: 1, data: mt.deciles.map((d) => +d.cumulative_gain.toFixed(3)) }],
    });
  });
  return card;
}

const PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4'];

// Segments: K selection charts and picker, picture, sizes, radar, profiles,
// names and strategies, surrogate-tree rules, and the customer → segment CSV.
function segmentCard(s) {
  const names = s.names.map((n) => n.name);
  const sel = s.selection;
  const kPick = el('select', { 'data-testid': 'k-pick' }, ...(sel ? sel.scores : [{ k: s.k }]).map((x) =>
    el('option', { value: String(x.k), selected: x.k === s.k }, `K = ${x.k}${sel && x.k === sel.suggested ? ` (${t('suggested')})` : ''}`)));
  kPick.addEventListener('input', () => {
    const recipe = { ...current.recipe, segment: { ...current.recipe.segment, k: Number(kPick.value) } };
    analyse(current.files, recipe, current.inputs);
  });
  // Another method re-runs the step over the K range.
  const methodPick = el('select', { 'data-testid': 'method-pick' }, ...['kmeans', 'kprototypes', 'gmm'].map((m) =>
    el('option', { value: m, selected: m === s.method }, t(`method_name_${m}`))));
  methodPick.addEventListener('input', () => {
    const { k, ...seg } = current.recipe.segment;
    analyse(current.files, { ...current.recipe, segment: { ...seg, method: methodPick.value } }, current.inputs);
  });
  const kChart = el('div', { class: 'roc', 'data-testid': 'k-chart' });
  const scatter = el('div', { class: 'roc', 'data-testid': 'segment-scatter' });
  const radar = el('div', { class: 'roc', 'data-testid': 'segment-radar' });
  const sizes = el('div', { class: 'roc', 'data-testid': 'segment-sizes' });
  const rulesBy = (k) => (s.surrogate ? s.surrogate.rules.filter((r) => r.class === k) : []);
  const rows = s.profiles.map((p, k) => el('tr', { 'data-segment': String(k) },
    el('td', {}, el('b', { style: `color:${PALETTE[k % 8]}` }, names[k])),
    el('td', { class: 'num' }, `${p.size.toLocaleString()}（${pct(p.share)}）`),
    el('td', { class: 'summary' }, p.distinguishing.join('；') || '–'),
    el('td', { class: 'summary' }, s.names[k].strategy),
    el('td', { class: 'summary' }, s.names[k].service),
    el('td', { class: 'summary' }, rulesBy(k).slice(0, 2).map((r) => `${t('if')} ${r.conditions.join(` ${t('and')} `)}（${pct(r.purity)}）`).join('；') || '–')));
  const table = el('table', { class: 'columns segments', 'data-testid': 'segment-table' },
    el('thead', {}, el('tr', {}, ...['segment_name', 'size', 'distinguishing', 'strategy', 'service', 'surrogate_rules'].map((k) => el('th', {}, t(k))))),
    el('tbody', {}, ...rows));
  const dl = el('button', { type: 'button', 'data-testid': 'download-segments' }, t('download_segments'));
  dl.addEventListener('click', async () => downloadFile(await call({ type: 'segments_csv', ids: s.ids, labels: s.labels, names, memberships: s.memberships }), 'segments.csv', 'text/csv;charset=utf-8'));
  const saveModel = el('button', { type: 'button', 'data-testid': 'save-segments' }, t('save_segments'));
  saveModel.addEventListener('click', () => downloadFile(JSON.stringify(s.model, null, 1), 'segments.json', 'application/json'));
  // A second snapshot: this run's centres applied to it, customers matched by id.
  const nextInput = el('input', { type: 'file', accept: '.csv,.txt,.del,.tsv', hidden: true, 'data-testid': 'next-input' });
  const nextBtn = el('button', { type: 'button', 'data-testid': 'load-next' }, t('load_next'));
  nextBtn.addEventListener('click', () => nextInput.click());
  nextInput.addEventListener('change', () => {
    const file = nextInput.files[0];
    if (!file) return;
    const seg = current.recipe.segment;
    if (!seg.id) { showError({ code: 'recipe', message_en: t('next_needs_id'), message_zh: t('next_needs_id') }); return; }
    const inputs = current.inputs.filter((f) => f.name !== seg.next);
    analyse(current.files, { ...current.recipe, segment: { ...seg, next: file.name } }, [...inputs, file]);
  });
  const card = el('section', { class: 'card table-card', 'data-testid': 'segment-card' },
    el('h2', {}, t('segment_title', { k: s.k })),
    el('p', { class: 'meta', 'data-testid': 'segment-meta' }, t('segment_summary', { rows: s.rows.toLocaleString(), k: s.k, features: s.features.length,
      method: s.method === 'kprototypes' ? t('method_kprototypes', { gamma: s.gamma.toFixed(2) }) : t(s.method === 'gmm' ? 'method_gmm' : 'method_kmeans') })),
    s.soft ? el('p', { class: 'hint', 'data-testid': 'soft-meta' }, t('soft_meta', { confident: s.soft.confident.toLocaleString(), uncertain: s.soft.uncertain.toLocaleString() })) : null,
    s.reseeded ? el('p', { class: 'hint' }, t('reseeded', { n: s.reseeded })) : null,
    sel ? el('p', { class: 'hint', 'data-testid': 'k-reason' }, getLang() === 'zh' ? sel.reason_zh : sel.reason_en) : null,
    sel && sel.silhouette_rows < s.rows ? el('p', { class: 'hint' }, t('silhouette_sampled', { n: sel.silhouette_rows.toLocaleString() })) : null,
    el('div', { class: 'row' }, el('label', {}, `${t('method_pick')} `, methodPick), el('label', {}, `${t('k_pick')} `, kPick), dl, saveModel, nextBtn, nextInput),
    el('div', { class: 'two' }, kChart, scatter),
    el('div', { class: 'two' }, radar, sizes),
    s.surrogate ? el('p', { class: 'meta', 'data-testid': 'surrogate-meta' }, t('surrogate_summary', { acc: pct(s.surrogate.accuracy), leaves: s.surrogate.leaves })) : null,
    table,
    s.migration ? migrationView(s.migration) : null);
  requestAnimationFrame(() => {
    if (sel) {
      const cost = s.method === 'kprototypes' ? t('cost_axis') : 'WCSS';
      const kc = echarts.init(kChart, null, { renderer: 'canvas' });
      kc.setOption({
        animation: false, title: { text: t('k_chart_title'), left: 'center', textStyle: { fontSize: 13 } },
        tooltip: { trigger: 'axis' }, legend: { bottom: 0 }, grid: { left: 55, right: 45, top: 30, bottom: 45 },
        xAxis: { type: 'category', data: sel.scores.map((x) => x.k) },
        yAxis: [{ type: 'value', name: cost, scale: true }, { type: 'value', name: t('silhouette'), scale: true }],
        series: [{ type: 'line', name: cost, data: sel.scores.map((x) => +x.inertia.toFixed(1)) },
          { type: 'line', name: t('silhouette'), yAxisIndex: 1, data: sel.scores.map((x) => +x.silhouette.toFixed(4)) },
          { type: 'line', name: 'Gap', yAxisIndex: 1, data: sel.scores.map((x) => +x.gap.toFixed(4)) }],
      });
    }
    const sc = echarts.init(scatter, null, { renderer: 'canvas' });
    sc.setOption({
      animation: false, title: { text: t('scatter_title', { proj: s.scatter.projection, a: pct(s.scatter.explained[0]), b: pct(s.scatter.explained[1]) }), left: 'center', textStyle: { fontSize: 13 } },
      tooltip: {}, grid: { left: 40, right: 15, top: 30, bottom: 25 }, xAxis: { type: 'value', scale: true }, yAxis: { type: 'value', scale: true },
      series: names.map((n, k) => ({ type: 'scatter', name: n, symbolSize: 4, itemStyle: { color: PALETTE[k % 8] },
        data: s.scatter.points.filter((p) => p[2] === k).map((p) => [p[0], p[1]]) })),
    });
    // Radar on the numeric features' standardised differences (z, clipped to ±2).
    // The eight features that differ most between segments.
    const spread = s.profiles[0].numeric.map((_, j) => [j, Math.max(...s.profiles.map((p) => Math.abs(p.numeric[j].z)))]);
    const top = spread.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([j]) => j);
    const feats = top.map((j) => s.profiles[0].numeric[j].column);
    const rc = echarts.init(radar, null, { renderer: 'canvas' });
    rc.setOption({
      animation: false, title: { text: t('radar_title'), left: 'center', textStyle: { fontSize: 13 } }, tooltip: {},
      radar: { indicator: feats.map((f) => ({ name: f, min: -2, max: 2 })), radius: '60%' },
      series: [{ type: 'radar', data: s.profiles.map((p, k) => ({ name: names[k], itemStyle: { color: PALETTE[k % 8] },
        value: top.map((j) => Math.max(-2, Math.min(2, +p.numeric[j].z.toFixed(2)))) })) }],
    });
    const zc = echarts.init(sizes, null, { renderer: 'canvas' });
    zc.setOption({
      animation: false, title: { text: t('sizes_title'), left: 'center', textStyle: { fontSize: 13 } }, tooltip: {},
      series: [{ type: 'pie', radius: ['35%', '65%'], data: s.profiles.map((p, k) => ({ name: names[k], value: p.size, itemStyle: { color: PALETTE[k % 8] } })),
        label: { formatter: '{b}\n{d}%' } }],
    });
  });
  return card;
}

// From-segment (this file) × to-segment (the second snapshot), each cell
// shaded by its share of the row.
function migrationView(m) {
  const head = el('tr', {}, el('th', {}, t('migration_corner')), ...m.names.map((n) => el('th', {}, n)), el('th', {}, t('stayed')));
  const rows = m.matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return el('tr', {}, el('th', {}, m.names[i]), ...row.map((c, j) => el('td', {
      class: `num${i === j ? ' diag' : ''}`, style: `background:rgba(84,112,198,${total ? (0.08 + 0.6 * c / total).toFixed(3) : 0})`,
    }, c.toLocaleString())), el('td', { class: 'num' }, total ? pct(row[i] / total) : '–'));
  });
  const dl = el('button', { type: 'button', 'data-testid': 'download-migration' }, t('download_migration'));
  dl.addEventListener('click', async () => downloadFile(await call({ type: 'migration_csv', migration: m }), 'migration.csv', 'text/csv;charset=utf-8'));
  return el('div', { 'data-testid': 'migration' },
    el('h3', {}, t('migration_title', { file: m.file })),
    el('p', { class: 'meta', 'data-testid': 'migration-meta' }, t('migration_meta', { matched: m.matched.toLocaleString(),
      stayed: pct(m.stayed), before: m.only_before.toLocaleString(), after: m.only_after.toLocaleString() })),
    el('table', { class: 'columns migration', 'data-testid': 'migration-table' }, el('thead', {}, head), el('tbody', {}, ...rows)),
    el('div', { class: 'row' }, dl));
}

// All results as one workbook (written by the core from the last run), and
// the recipe saved or loaded as JSON.
function exportBar(report) {
  const results = report.model || report.applied || report.segment || report.basket || report.plan;
  const xlsx = el('button', { type: 'button', 'data-testid': 'download-xlsx', disabled: !results }, t('download_xlsx'));
  xlsx.addEventListener('click', async () => {
    try {
      const bytes = await call({ type: 'workbook' });
      downloadFile(bytes, 'kequn-results.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    } catch (err) { showError(err); }
  });
  // The printable report, written by the core from the last run.
  const reportBtn = el('button', { type: 'button', 'data-testid': 'download-report', disabled: !results }, t('download_report'));
  reportBtn.addEventListener('click', async () => {
    try { downloadFile(await call({ type: 'report_html' }), 'kequn-report.html', 'text/html;charset=utf-8'); } catch (err) { showError(err); }
  });
  const openBtn = el('button', { type: 'button', 'data-testid': 'open-report', disabled: !results }, t('open_report'));
  openBtn.addEventListener('click', async () => {
    try {
      const html = await call({ type: 'report_html' });
      window.open(URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' })), '_blank');
    } catch (err) { showError(err); }
  });
  const save = el('button', { type: 'button', 'data-testid': 'save-recipe' }, t('save_recipe'));
  save.addEventListener('click', () => downloadFile(JSON.stringify(current.recipe, null, 2), 'recipe.json', 'application/json'));
  const input = el('input', { type: 'file', accept: '.json', hidden: true, 'data-testid': 'recipe-input' });
  const load = el('button', { type: 'button', 'data-testid': 'load-recipe' }, t('load_recipe'));
  load.addEventListener('click', () => input.click());
  input.addEventListener('change', async () => {
    const file = input.files[0];
    if (!file) return;
    let recipe;
    try { recipe = JSON.parse(await file.text()); } catch (e) {
      showError({ code: 'recipe', message_en: t('recipe_not_json', { file: file.name, e: e.message }), message_zh: t('recipe_not_json', { file: file.name, e: e.message }) });
      return;
    }
    analyse(current.files, recipe, current.inputs);
  });
  // The recipe itself, shown and editable: run it as edited.
  const editor = el('textarea', { class: 'recipe-editor', 'data-testid': 'recipe-editor', rows: '16', spellcheck: false });
  editor.value = JSON.stringify(current.recipe, null, 2);
  const runEdited = el('button', { type: 'button', 'data-testid': 'run-recipe' }, t('run_recipe'));
  runEdited.addEventListener('click', () => {
    let recipe;
    try { recipe = JSON.parse(editor.value); } catch (e) {
      showError({ code: 'recipe', message_en: t('recipe_not_json', { file: 'recipe', e: e.message }), message_zh: t('recipe_not_json', { file: '配方', e: e.message }) });
      return;
    }
    analyse(current.files, recipe, current.inputs);
  });
  return el('div', { class: 'card export-bar', 'data-testid': 'export-bar' },
    el('div', { class: 'row' }, el('span', { class: 'meta' }, t('export_hint')), xlsx, reportBtn, openBtn, save, load, input),
    el('details', { 'data-testid': 'recipe-details' }, el('summary', {}, t('recipe_editable')), editor, el('div', { class: 'row' }, runEdited)));
}

const num3 = (x) => (x === 'inf' || x == null ? '∞' : Number(x).toFixed(3));

// Association rules (overall and per segment), product holdings, cross-sell
// offers and per-product target lists.
function basketCard(b) {
  const sets = [b.overall, ...b.segments];
  const PAGE = 25;
  let page = 0;
  const setPick = el('select', { 'data-testid': 'rule-set' }, ...sets.map((s, i) =>
    el('option', { value: String(i) }, s.segment == null ? t('all_customers', { n: s.customers.toLocaleString() })
      : `${s.segment}（${s.customers.toLocaleString()}，${t('specific_n', { n: s.specific.length })}）`)));
  const search = el('input', { type: 'search', placeholder: t('rule_search'), 'data-testid': 'rule-search' });
  const minLift = el('input', { type: 'number', step: '0.1', min: '0', value: '0', 'data-testid': 'rule-min-lift', class: 'narrow' });
  const meta = el('p', { class: 'meta', 'data-testid': 'rules-meta' });
  const body = el('tbody', {});
  const pager = el('div', { class: 'row' });
  const filtered = () => {
    const s = sets[Number(setPick.value)];
    const q = search.value.trim();
    const lift = Number(minLift.value) || 0;
    return s.rules.map((r, k) => [r, s.specific.includes(k)])
      .filter(([r]) => r.lift >= lift && (!q || [...r.antecedent, ...r.consequent].some((i) => i.includes(q))));
  };
  const show = () => {
    const rows = filtered();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    page = Math.min(page, pages - 1);
    meta.textContent = t('rules_meta', { n: rows.length, total: sets[Number(setPick.value)].rules.length, page: page + 1, pages });
    body.replaceChildren(...rows.slice(page * PAGE, (page + 1) * PAGE).map(([r, specific]) => el('tr', { class: specific ? 'specific' : '' },
      el('td', {}, r.antecedent.join(' + ')), el('td', {}, `→ ${r.consequent.join(' + ')}`),
      ...[r.support, r.confidence, r.lift, r.leverage, r.conviction].map((v) => el('td', { class: 'num' }, num3(v))),
      el('td', {}, specific ? t('specific') : ''))));
    const prev = el('button', { type: 'button', disabled: page === 0 }, '‹');
    const next = el('button', { type: 'button', disabled: page >= pages - 1, 'data-testid': 'rules-next' }, '›');
    prev.addEventListener('click', () => { page--; show(); });
    next.addEventListener('click', () => { page++; show(); });
    pager.replaceChildren(prev, next);
  };
  for (const c of [setPick, search, minLift]) c.addEventListener('input', () => { page = 0; show(); });
  show();
  const rulesTable = el('table', { class: 'columns', 'data-testid': 'rules' },
    el('thead', {}, el('tr', {}, ...['antecedent', 'consequent', 'support', 'confidence', 'lift', 'leverage', 'conviction', ''].map((k) => el('th', {}, k ? t(k) : '')))), body);
  const offerTable = (offers, testid) => el('table', { class: 'columns', 'data-testid': testid },
    el('thead', {}, el('tr', {}, ...['customer', 'product', 'confidence', 'lift', 'rule'].map((k) => el('th', {}, t(k))))),
    el('tbody', {}, ...offers.slice(0, 20).map((o) => el('tr', {}, el('td', {}, o.id), el('td', {}, o.product),
      el('td', { class: 'num' }, pct(o.confidence)), el('td', { class: 'num' }, num3(o.lift)), el('td', { class: 'summary' }, o.rule)))));
  const csvButton = (label, testid, payload, name) => {
    const btn = el('button', { type: 'button', 'data-testid': testid }, label);
    btn.addEventListener('click', async () => downloadFile(await call(payload()), name, 'text/csv;charset=utf-8'));
    return btn;
  };
  const targetPick = el('select', { 'data-testid': 'target-product' }, ...b.product_targets.map((p, i) => el('option', { value: String(i) }, `${p.product}（${p.customers.length}）`)));
  const targetBox = el('div', {});
  const showTargets = () => targetBox.replaceChildren(offerTable(b.product_targets[Number(targetPick.value)].customers, 'targets'));
  targetPick.addEventListener('input', showTargets);
  showTargets();
  const chart = el('div', { class: 'roc', 'data-testid': 'holdings-chart' });
  const businessBtn = el('button', { type: 'button', 'data-testid': 'download-business' }, t('download_business'));
  businessBtn.addEventListener('click', () => downloadFile(JSON.stringify(b.business, null, 1), 'rules_business.json', 'application/json'));
  const card = el('section', { class: 'card table-card', 'data-testid': 'basket-card' },
    el('h2', {}, t('basket_title')),
    el('p', { class: 'meta', 'data-testid': 'basket-meta' }, t('basket_summary', {
      n: b.customers.toLocaleString(), items: b.overall.frequent_itemsets.toLocaleString(), rules: b.overall.rules.length.toLocaleString(),
      support: b.params.min_support, confidence: b.params.min_confidence })),
    b.cool_off_excluded ? el('p', { class: 'warning', 'data-testid': 'cool-off' }, t('cool_off', { n: b.cool_off_excluded.toLocaleString() })) : null,
    chart,
    el('h3', {}, t('rules_title')),
    el('div', { class: 'row' }, setPick, search, el('label', {}, `${t('lift')} ≥ `, minLift),
      csvButton(t('download_csv'), 'download-rules', () => ({ type: 'rules_csv', sets }), 'rules.csv'), businessBtn),
    meta, rulesTable, pager,
    el('h3', {}, t('cross_sell_title', { n: b.cross_sell.length.toLocaleString() })),
    csvButton(t('download_csv'), 'download-cross-sell', () => ({ type: 'offers_csv', offers: b.cross_sell }), 'cross_sell.csv'),
    offerTable(b.cross_sell, 'cross-sell'),
    el('h3', {}, t('targets_title')),
    el('div', { class: 'row' }, targetPick,
      csvButton(t('download_csv'), 'download-targets', () => ({ type: 'offers_csv', offers: b.product_targets[Number(targetPick.value)].customers }), 'product_targets.csv')),
    targetBox);
  requestAnimationFrame(() => {
    const c = echarts.init(chart, null, { renderer: 'canvas' });
    c.setOption({
      animation: false, title: { text: t('holdings_title'), left: 'center', textStyle: { fontSize: 13 } },
      tooltip: {}, grid: { left: 90, right: 30, top: 30, bottom: 25 },
      xAxis: { type: 'value', max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
      yAxis: { type: 'category', data: b.products.map((p) => p.product), inverse: true },
      series: [{ type: 'bar', data: b.products.map((p) => +p.share.toFixed(4)), label: { show: true, position: 'right', formatter: (p) => pct(p.value) } }],
    });
  });
  return card;
}

// Candidates from a saved model applied to these files.
function appliedCard(a) {
  const rows = a.candidates.slice(0, 20).map((c, i) => el('tr', {}, el('td', { class: 'num' }, String(i + 1)), el('td', {}, c.id),
    el('td', { class: 'num' }, pct(c.probability)), el('td', { class: 'summary' }, c.reasons.map(([s, v]) => `${s} (+${v.toFixed(2)})`).join('，'))));
  const dl = el('button', { type: 'button', 'data-testid': 'download-applied' }, t('download_csv'));
  dl.addEventListener('click', async () => downloadFile(await call({ type: 'candidates_csv', candidates: a.candidates }), 'candidates.csv', 'text/csv;charset=utf-8'));
  return el('section', { class: 'card table-card', 'data-testid': 'applied-card' },
    el('h2', {}, `${t('applied_title')}: ${a.label_rule}`),
    el('p', { class: 'meta', 'data-testid': 'applied-meta' }, t('applied_summary', { rows: a.rows.toLocaleString(), n: a.candidates.length, excluded: a.candidates_excluded })),
    a.monitor ? monitorView(a.monitor) : null,
    dl,
    el('table', { class: 'columns', 'data-testid': 'applied-candidates' },
      el('thead', {}, el('tr', {}, ...['rank', 'customer', 'probability', 'reasons'].map((k) => el('th', {}, t(k))))), el('tbody', {}, ...rows)));
}

// This month against the model's month: PSI of the score and each column.
function monitorView(m) {
  const rate = (x) => (x == null ? '–' : pct(x));
  const rows = [m.score, ...m.features].slice(0, 12).map((p) => el('tr', { class: `level-${p.level}` },
    el('td', {}, p.name), el('td', { class: 'num' }, p.psi.toFixed(4)), el('td', {}, t(`level_${p.level}`))));
  return el('div', { 'data-testid': 'monitor' },
    el('p', { class: 'meta', 'data-testid': 'monitor-meta' }, t('monitor_title', { psi: m.score.psi.toFixed(3), level: t(`level_${m.score.level}`),
      before: rate(m.label_rate_before), now: rate(m.label_rate_now) })),
    el('table', { class: 'columns', 'data-testid': 'monitor-table' },
      el('thead', {}, el('tr', {}, el('th', {}, t('measure')), el('th', {}, 'PSI'), el('th', {}, t('level')))), el('tbody', {}, ...rows)));
}

function alertsCard(alerts) {
  return el('section', { class: 'card alerts', 'data-testid': 'alerts', role: 'alert' },
    el('h2', {}, t('alerts_title', { n: alerts.length })),
    el('ul', {}, ...alerts.map((a) => el('li', { 'data-kind': a.kind, 'data-subject': a.subject }, getLang() === 'zh' ? a.message_zh : a.message))));
}

// Plans: per customer (paged, CSV, printable), per segment, the contacted
// list's conversion, and the templates they came from, editable.
function planCard(p) {
  const PAGE = 20;
  let page = 0;
  const body = el('tbody', {});
  const meta = el('p', { class: 'meta', 'data-testid': 'plans-meta' });
  const prev = el('button', { type: 'button', 'data-testid': 'plans-prev' }, t('prev'));
  const next = el('button', { type: 'button', 'data-testid': 'plans-next' }, t('next'));
  const pages = Math.max(1, Math.ceil(p.customers.length / PAGE));
  const show = () => {
    body.replaceChildren(...p.customers.slice(page * PAGE, (page + 1) * PAGE).map((c) => el('tr', { 'data-id': c.id },
      el('td', { class: 'num' }, String(c.rank)), el('td', {}, c.id), el('td', {}, c.priority), el('td', { class: 'num' }, pct(c.probability)),
      el('td', {}, `${c.value_tier}（${money(c.value)}）`), el('td', {}, c.channel), el('td', {}, c.timing),
      el('td', { class: 'wrap' }, c.drivers.join('；')), el('td', { class: 'wrap talk' }, c.talking_points.join(' ')))));
    meta.textContent = t('plans_meta', { page: page + 1, pages, n: p.customers.length });
    prev.disabled = page === 0; next.disabled = page + 1 >= pages;
  };
  prev.addEventListener('click', () => { page--; show(); });
  next.addEventListener('click', () => { page++; show(); });
  const kept = p.summary.reduce((s, x) => s + x.expected_retained, 0);
  const value = p.summary.reduce((s, x) => s + x.expected_value, 0);
  const dl = el('button', { type: 'button', 'data-testid': 'download-plans' }, t('download_plans'));
  dl.addEventListener('click', async () => downloadFile(await call({ type: 'plans_csv', plans: p.customers }), 'plans.csv', 'text/csv;charset=utf-8'));
  const print = el('button', { type: 'button', 'data-testid': 'print-plans' }, t('print_plans'));
  print.addEventListener('click', () => window.print());
  const customers = p.customers.length ? el('div', { 'data-testid': 'customer-plans' },
    el('p', { class: 'meta', 'data-testid': 'plan-summary' }, t('plan_summary', { n: p.customers.length, rate: pct(p.response_rate),
      kept: kept.toFixed(1), value: money(value), cool: p.cooling_off })),
    el('table', { class: 'columns', 'data-testid': 'plan-priorities' },
      el('thead', {}, el('tr', {}, ...['priority', 'customers_n', 'expected_kept', 'expected_value'].map((k) => el('th', {}, t(k))))),
      el('tbody', {}, ...p.summary.map((x) => el('tr', {}, el('td', {}, x.priority), el('td', { class: 'num' }, String(x.customers)),
        el('td', { class: 'num' }, x.expected_retained.toFixed(1)), el('td', { class: 'num' }, money(x.expected_value)))))),
    el('div', { class: 'row' }, dl, print, prev, next, meta),
    el('table', { class: 'columns plans', 'data-testid': 'plans-table' },
      el('thead', {}, el('tr', {}, ...['rank', 'customer', 'priority', 'probability', 'value_tier', 'channel', 'timing', 'drivers', 'talking_points'].map((k) => el('th', {}, t(k))))),
      body)) : null;
  if (p.customers.length) show();
  const segments = p.segments.length ? el('div', { 'data-testid': 'segment-plans' },
    el('h3', {}, t('segment_plans_title')),
    el('table', { class: 'columns', 'data-testid': 'segment-plans-table' },
      el('thead', {}, el('tr', {}, ...['segment_name', 'size', 'priority', 'channel', 'channel_mix', 'talking_points', 'expected_responders'].map((k) => el('th', {}, t(k))))),
      el('tbody', {}, ...p.segments.map((s) => el('tr', {}, el('td', {}, s.name), el('td', { class: 'num' }, `${s.size.toLocaleString()}（${pct(s.share)}）`),
        el('td', {}, s.priority), el('td', {}, s.channel), el('td', { class: 'summary' }, s.channel_mix.map(([c, n]) => `${c} ${n}`).join('；')),
        el('td', { class: 'wrap talk' }, s.talking_points.join(' ')), el('td', { class: 'num' }, s.expected_responders.toFixed(0))))))) : null;
  const f = p.feedback;
  const feedback = f ? el('div', { 'data-testid': 'feedback' },
    el('h3', {}, t('feedback_title', { n: f.contacted, rate: pct(f.rate), file: f.file })),
    el('table', { class: 'columns' },
      el('thead', {}, el('tr', {}, ...['group', 'contacted', 'converted', 'rate'].map((k) => el('th', {}, t(k))))),
      el('tbody', {}, ...[...f.by_channel, ...f.by_segment].map((g) => el('tr', {}, el('td', {}, g.group),
        el('td', { class: 'num' }, String(g.contacted)), el('td', { class: 'num' }, String(g.converted)), el('td', { class: 'num' }, pct(g.rate))))))) : null;
  // The templates, editable: run again with the edited set as an input file.
  const editor = el('textarea', { class: 'recipe-editor', 'data-testid': 'templates-editor', rows: '14', spellcheck: false });
  const named = current && current.recipe.plan && current.recipe.plan.templates;
  const own = named && current.inputs.find((x) => x.name === named);
  (own ? own.text() : call({ type: 'default_templates', segments: !p.customers.length })).then((text) => { editor.value = text; });
  const apply = el('button', { type: 'button', 'data-testid': 'apply-templates' }, t('apply_templates'));
  apply.addEventListener('click', () => {
    const name = 'plan_templates.json';
    const recipe = JSON.parse(JSON.stringify(current.recipe));
    recipe.plan = { ...(recipe.plan || {}), templates: name };
    const file = new File([editor.value], name, { type: 'application/json' });
    analyse(current.files, recipe, [...current.inputs.filter((x) => x.name !== name), file]);
  });
  // A contacted list (id, date, result[, channel]): conversion and the cool-off.
  const fbInput = el('input', { type: 'file', accept: '.csv,.txt,.tsv', hidden: true, 'data-testid': 'feedback-input' });
  const fbBtn = el('button', { type: 'button', 'data-testid': 'load-feedback' }, t('load_feedback'));
  fbBtn.addEventListener('click', () => fbInput.click());
  fbInput.addEventListener('change', () => {
    const file = fbInput.files[0];
    if (!file || !current) return;
    const recipe = JSON.parse(JSON.stringify(current.recipe));
    const old = recipe.plan && recipe.plan.feedback && recipe.plan.feedback.file;
    recipe.plan = { ...(recipe.plan || {}), feedback: { file: file.name } };
    analyse(current.files, recipe, [...current.inputs.filter((x) => x.name !== file.name && x.name !== old), file]);
  });
  return el('section', { class: 'card table-card', 'data-testid': 'plan-card' },
    el('h2', {}, t('plan_title')),
    customers, segments, feedback,
    el('div', { class: 'row' }, fbBtn, fbInput, el('span', { class: 'hint' }, t('feedback_hint'))),
    el('details', { 'data-testid': 'templates-details' }, el('summary', {}, t('edit_templates')), editor, el('div', { class: 'row' }, apply)));
}

function showChart(c, tableName) {
  $('chart-card').hidden = false;
  $('chart-title').textContent = `${tableName} · ${c.name}`;
  if (!chart) chart = echarts.init($('chart'), null, { renderer: 'canvas' });
  let labels, counts;
  if (c.histogram) {
    const e = c.histogram.edges;
    // Dates as the reader's locale writes them (the stored dates are naive: read them as UTC).
    const day = (secs) => new Date(secs * 1000).toLocaleDateString(getLang() === 'zh' ? 'zh-CN' : 'en-US', { timeZone: 'UTC' });
    labels = c.histogram.counts.map((_, i) => c.kind === 'date' ? day(e[i]) : fmt(e[i]));
    counts = c.histogram.counts;
  } else {
    labels = c.top.map(([k]) => k); counts = c.top.map(([, n]) => n);
  }
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 60, right: 20, top: 20, bottom: 60 },
    xAxis: { type: 'category', data: labels, axisLabel: { rotate: 30 } },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: counts, itemStyle: { color: '#2f6fb3' } }],
  }, true);
  $('chart-card').scrollIntoView({ block: 'nearest' });
}

async function fetchFile(path) {
  if (OFFLINE) return new File([await OFFLINE.file(path)], path.split('/').pop());
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return new File([await r.blob()], path.split('/').pop());
}

// The quick sample, or a scenario: its preset recipe and data, run as they are.
async function loadSample() {
  const choice = $('sample-choice').value;
  if (!choice) return analyse(await Promise.all(SAMPLE.map(fetchFile)));
  const recipe = JSON.parse(await (await fetchFile(`recipes/${choice}.json`)).text());
  const dir = (recipe.data_dir || '').replace(/^\.\.\//, '');
  const names = recipe.inputs.flatMap((i) => (i.columns_file ? [i.file, i.columns_file] : [i.file]));
  const files = await Promise.all(names.map((n) => fetchFile(`${dir}/${n}`)));
  await analyse(files.filter((f) => recipe.inputs.some((i) => i.file === f.name)), recipe, files);
}
function init() {
  setLang(getLang());
  newWorker();
  $('lang').addEventListener('click', () => {
    setLang(getLang() === 'zh' ? 'en' : 'zh');
    if (lastReport) renderReport(lastReport);
  });
  $('file-input').addEventListener('change', (e) => { if (e.target.files.length) analyse([...e.target.files]); });
  $('sample').addEventListener('click', () => loadSample().catch((e) => showError({ code: 'internal', message_en: String(e), message_zh: String(e) })));
  $('rerun').addEventListener('click', () => { if (chosenFiles.length) analyse(chosenFiles); });
  $('cancel').addEventListener('click', cancel);
  $('train').addEventListener('click', trainWithRule);
  $('label-rule').addEventListener('keydown', (e) => { if (e.key === 'Enter') trainWithRule(); });
  $('label-rule').addEventListener('input', scheduleCheck);
  $('model-input').addEventListener('change', (e) => { applyModel([...e.target.files]); e.target.value = ''; });
  call({ type: 'version' }).then((v) => { $('version').textContent = `v${v}`; document.body.dataset.ready = '1'; })
    .catch(() => { document.body.dataset.ready = '1'; });
  applyStatic();
}

// For the end-to-end test only: trap the wasm core on purpose and show what
// the analyst would see.
globalThis.kequnTest = { trap: () => call({ type: 'trap' }).catch(showError) };

init();
