// The page's entry point: collects files and options, builds a recipe, runs
// it in the worker, and composes the report from the cards in ui/. No data
// leaves the browser.
import { t, setLang, getLang, applyStatic, pageError } from './i18n.js';
import { $, el, pct, addPngButton, listOf, setDisplayNames, scrollAndFocus } from './ui/helpers.js';
import { OFFLINE, spawnWorker, newWorker, call, cancel } from './ui/worker-client.js';
import { tableCard, joinCard } from './ui/data.js';
import { overviewCard } from './ui/overview.js';
import { modelCard } from './ui/model.js';
import { segmentCard } from './ui/segment.js';
import { basketCard } from './ui/basket.js';
import { planCard } from './ui/plan.js';
import { appliedCard, alertsCard } from './ui/monitor.js';
import { exportBar } from './ui/export.js';
import { stepStates, renderStepBar, goTo, segmentForm, basketForm, planForm } from './ui/steps.js';
import { record, renderHistory, saveSession, readSession } from './ui/history.js';

const SAMPLE = ['samples/customers.csv'];
// The quick sample goes straight to a trained model: who holds 1,000,000+
// in assets, by logistic regression and a tree, listed by customer id.
const SAMPLE_RECIPE = {
  name: 'sample',
  inputs: [{ file: 'customers.csv' }],
  label: { rule: 'asset_level == "100万+"' },
  features: { dates: 'days_before' },
  model: { kind: 'logistic', also: ['tree'], test_share: 0.3, seed: 42 },
  candidates: { id: 'user_id', top: 100, exclude_positive: true },
};

let chosenFiles = [];
let lastReport = null;
// The recipe the shown report ran, and the step running now (for the step bar).
let ran = null;
let runningStep = null;
// What the last analysis ran on, so the label editor can re-run it.
let current = null;
// Column types the user set, by file name then column name; sent as LoadOptions.types.
let typeOverrides = {};
// The sheet chosen for each Excel workbook (by file name); the first sheet with cells otherwise.
let sheetChoice = {};

// A second worker checks the label rule while the analyst types, so that a
// check never cancels (or waits behind) the analysis in the main worker.
let checker = null;
let checkId = 0;
let checkTimer = null;
// The columns the typed rule reads (from its last check): their role is "label".
let ruleColumns = [];
// Above this many bytes of input the check would take seconds: check on Train.
const LIVE_CHECK_LIMIT = 64 << 20;

function recipeFor(dataFiles, columnsFile) {
  const options = {};
  const enc = $('encoding').value, del = $('delimiter').value, hdr = $('header').value;
  if (enc !== 'auto') options.encoding = enc;
  if (del !== 'auto') options.delimiter = del === 'tab' ? '\t' : del;
  if (hdr !== 'auto') options.header = hdr === 'yes';
  // Percent of rows that may be left out because their values cannot be placed (default 5 %).
  const ragged = $('ragged-tolerance').value;
  if (ragged !== '' && Number(ragged) >= 0) options.ragged_tolerance = Number(ragged) / 100;
  // Blank: the loader finds titles above the header and totals below the data.
  for (const [id, key] of [['skip-rows', 'skip_rows'], ['footer-rows', 'footer_rows']]) {
    const v = $(id).value;
    if (v !== '' && Number.isInteger(Number(v)) && Number(v) >= 0) options[key] = Number(v);
  }
  const inputs = dataFiles.map((f, i) => ({
    file: f.name,
    options: { ...options, ...(typeOverrides[f.name] ? { types: typeOverrides[f.name] } : {}), ...(sheetChoice[f.name] ? { sheet: sheetChoice[f.name] } : {}) },
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
// wasm32 holds 4 GiB; past this estimate a run would stop part-way.
// Refusing a run that would have fitted is the worse mistake (nothing else
// lets the analyst try), so the estimate is the measured one, not padded:
// a run it lets through that does not fit stops with the out-of-memory
// message and the page keeps its results.
const MEMORY_LIMIT = 3.75 * 2 ** 30;
// What the core holds per cell through a run (typed columns, the joined
// copy, the model's matrices), beside the files themselves: the wealth
// scenario took 641 / 2741 / 3750 MiB of wasm memory at 1,000,000 /
// 5,000,000 / 7,000,000 customers (240 MB / 1.20 GB / 1.68 GB of CSV,
// 32 columns): the files and 14 / 10.6 / 10.2 bytes a cell.
const BYTES_PER_CELL = 10;
const DELIMS = [44, 59, 9, 124]; // , ; tab |

// Estimates rows and columns from the first 64 KiB of each file.
async function memoryNeed(files) {
  let need = 0, rows = 0, cols = 0;
  for (const f of files) {
    if (/\.(json|txt)$/i.test(f.name)) { need += f.size; continue; }
    // A workbook is compressed XML: its text is some 10× its size, and the
    // reader holds every cell before the CSV path starts (rough, on purpose high).
    if (/\.(xlsx|xlsm|xlsb|xls|ods)$/i.test(f.name)) { need += f.size * 40; continue; }
    const head = new Uint8Array(await f.slice(0, 65536).arrayBuffer());
    let lines = 0, firstEnd = -1;
    for (let i = 0; i < head.length; i++) if (head[i] === 10) { lines += 1; if (firstEnd < 0) firstEnd = i; }
    const first = head.subarray(0, firstEnd < 0 ? head.length : firstEnd);
    const c = 1 + Math.max(...DELIMS.map((d) => first.reduce((n, b) => n + (b === d ? 1 : 0), 0)));
    const r = f.size <= head.length ? lines : Math.round(f.size * Math.max(1, lines) / head.length);
    need += f.size + r * c * BYTES_PER_CELL;
    rows = Math.max(rows, r); cols += c;
  }
  return { need, rows, cols };
}

const sizeText = (n) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB`
  : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(0)} MiB` : `${Math.max(1, Math.round(n / 1024))} KiB`);

// The files would not fit: say so with the figures, before starting.
async function tooBig(inputs) {
  const limit = globalThis.kequnTest.memoryLimit ?? MEMORY_LIMIT;
  const est = await memoryNeed(inputs);
  if (est.need <= limit) return null;
  const vars = { files: inputs.map((f) => f.name).join(', '), size: sizeText(inputs.reduce((s, f) => s + f.size, 0)),
    rows: est.rows.toLocaleString(), cols: est.cols, need: sizeText(est.need), limit: sizeText(limit) };
  return pageError('too_big', 'too_big', vars);
}

// `step`: the step this run is for; its result is scrolled to and focused.
async function analyse(files, preset = null, all = null, step = 'data') {
  // A new run: the last action's error is done with.
  $('error').hidden = true;
  if (!files.length) { showNotice(t('session_needs_files', { files: listOf(awaitingFiles) })); return; }
  // Refused before anything changes: the results on screen stay.
  const big = await tooBig(all || files);
  if (big) { showError(big, step); return; }
  const sameFiles = files === chosenFiles;
  if (!sameFiles) { typeOverrides = {}; sheetChoice = {}; } // new files start from inferred types and first sheets
  $('notice').hidden = true;
  chosenFiles = files;
  $('chosen').textContent = files.map((f) => f.name).join(', ');
  $('error').hidden = true;
  // A re-run of the same files keeps what is shown until it succeeds (and
  // after it fails); results of other files would be mistaken for these.
  const before = { current, lastReport, ran };
  if (!sameFiles) {
    $('results').replaceChildren();
    $('chart-card').hidden = true;
    lastReport = null; ran = null;
  }
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
    runningStep = step; updateSteps();
    const report = await call({ type: 'run', recipe, files: inputs });
    // Display names are words in every card: new ones draw the cards anew.
    const sameWords = !!ran && JSON.stringify(ran.labels || {}) === JSON.stringify(recipe.labels || {});
    lastReport = report; ran = recipe; runningStep = null;
    record(recipe, report);
    renderReport(report, { keepReused: sameWords });
    if (step !== 'data') goTo(step);
  } catch (err) {
    // A newer run took over: what is shown and current are its own now.
    if (err.superseded) return;
    if (sameFiles && before.lastReport) ({ current, lastReport, ran } = before);
    runningStep = null; updateSteps();
    showError(err, step);
  }
}

// Each step's state in the bar: the typed rule, the excluded columns and
// the display names against what the shown results ran with.
function updateSteps() {
  renderStepBar(stepStates(lastReport, ran, { rule: $('label-rule').value.trim(), drop: current ? current.recipe.drop : [],
    labels: current ? current.recipe.labels : {} }, runningStep));
}

// The recipe editor shows the working recipe as the forms change it.
function syncEditor() {
  const editor = document.querySelector('[data-testid=recipe-editor]');
  if (editor && current) editor.value = JSON.stringify(current.recipe, null, 2);
}

// Files chosen or dropped: a session waiting for its data runs its own
// recipe on them (when they are the files it names); otherwise a new start.
function chooseFiles(files) {
  if (awaitingFiles.length && current && awaitingFiles.every((n) => files.some((f) => f.name === n))) {
    awaitingFiles = [];
    const data = files.filter((f) => current.recipe.inputs.some((i) => i.file === f.name));
    return analyse(data, current.recipe, files);
  }
  awaitingFiles = [];
  return analyse(files);
}

// Train with the rule the analyst typed, on the files already loaded.
// The form's model choice over the recipe's model section (its split,
// seed and weights kept): one model, or all three compared with 5-fold CV.
function chosenModel(model) {
  const kind = $('model-kind').value;
  const { kind: _k, also: _a, choose: _c, ...rest } = model;
  // Class weights and CV folds from the form when set (blank: the recipe's).
  const cw = $('class-weight').value;
  if (cw) rest.class_weight = cw;
  const folds = $('cv-folds').value;
  if (folds !== '' && Number.isInteger(Number(folds))) { if (Number(folds) >= 2) rest.cv_folds = Number(folds); else delete rest.cv_folds; }
  // The folds cut the training part (the recipe's default) or every row.
  if ($('cv-rows').value) rest.cv_rows = $('cv-rows').value; else delete rest.cv_rows;
  if (kind === 'logistic') return { ...rest, kind: 'logistic', also: ['tree'] };
  if (kind === 'gbdt') return { ...rest, kind: 'gbdt' };
  if (kind === 'scorecard') return { ...rest, kind: 'scorecard' };
  if (kind === 'compare') return { ...rest, kind: 'gbdt', also: ['logistic', 'tree'], cv_folds: rest.cv_folds || 5 };
  return { ...rest, kind: model.kind, ...(model.also ? { also: model.also } : {}), ...(model.choose ? { choose: model.choose } : {}) };
}

async function trainWithRule() {
  if (!current) return;
  const rule = $('label-rule').value.trim();
  const id = $('label-id').value.trim();
  const base = current.recipe;
  const recipe = {
    ...base,
    label: { ...(base.label || {}), rule },
    model: chosenModel(base.model || { kind: 'logistic', also: ['tree'], test_share: 0.3, seed: 42 }),
    features: base.features || { dates: 'days_before' },
  };
  // Without an id the customers are listed by row number; "list every row" scores them all.
  const { all: wasAll, ...kept } = base.candidates || { top: 100, exclude_positive: true };
  if (wasAll) kept.exclude_positive = true; // back to the list to act on
  recipe.candidates = { ...kept, id };
  if ($('list-all').checked) recipe.candidates = { ...recipe.candidates, all: true, exclude_positive: false };
  await analyse(current.files, recipe, current.inputs, 'model');
}

// Every role picker shown, set again from the current choices.
function refreshRoles() {
  for (const sel of document.querySelectorAll('[data-testid=role]')) {
    const column = sel.closest('tr').dataset.column;
    const kindSel = sel.closest('tr').querySelector('[data-kind]');
    sel.value = app.roleOf(column, kindSel ? kindSel.dataset.kind : '');
    sel.dataset.role = sel.value;
  }
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
  if (!current || !rule) { out.textContent = ''; out.className = 'check'; ruleColumns = []; refreshRoles(); return; }
  const size = current.inputs.reduce((s, f) => s + f.size, 0);
  if (size > LIVE_CHECK_LIMIT) { out.textContent = t('check_on_train'); out.className = 'check'; return; }
  if (!checker) {
    checker = spawnWorker();
    checker.onmessage = (e) => {
      const msg = e.data;
      if (msg.id !== checkId || msg.type === 'progress') return;
      if (msg.type === 'done' && msg.report.label) {
        const l = msg.report.label;
        ruleColumns = l.columns; refreshRoles();
        // A rule that reads but leaves one class cannot train: a warning, not a ✓.
        const oneClass = l.positives === 0 || l.positives === l.rows;
        out.className = oneClass ? 'check warn' : 'check ok';
        out.textContent = `${oneClass ? '⚠' : '✓'} ${t('check_ok', { pos: l.positives.toLocaleString(), rows: l.rows.toLocaleString(),
          rate: pct(l.positives / Math.max(1, l.rows)), cols: listOf(l.columns) })}`
          + (l.unknown ? ` · ${t('unknown_label', { n: l.unknown })}` : '')
          + (oneClass ? ` · ${t('check_one_class')}` : '');
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
  if (!model) { showError(pageError('recipe', 'apply_needs_model')); return; }
  const data = picked.filter((f) => f !== model);
  const id = $('label-id').value.trim();
  if (!id) { showError(pageError('recipe', 'apply_needs_id')); return; }
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
  const big = await tooBig(files);
  if (big) { showError(big); return; }
  $('error').hidden = true;
  try {
    const report = await call({ type: 'run', recipe, files });
    lastReport = report; ran = recipe;
    record(recipe, report);
    renderReport(report, { keepReused: true });
  } catch (err) {
    showError(err);
  }
}

function showNotice(text) {
  const box = $('notice');
  box.hidden = false;
  box.textContent = text;
}

// The files a session opened without its data still needs.
let awaitingFiles = [];

// Puts a run back on screen: its recipe, rule, id and results, and the
// worker's copy for the downloads.
async function restore(recipe, report, files = null) {
  current = { files: files || (current ? current.files : []), recipe, inputs: files || (current ? current.inputs : []) };
  chosenFiles = current.files;
  lastReport = report; ran = recipe; runningStep = null;
  $('label-card').hidden = false;
  $('label-rule').value = recipe.label ? recipe.label.rule : '';
  $('label-id').value = recipe.candidates ? recipe.candidates.id || '' : '';
  $('error').hidden = true;
  // A report that does not read back leaves the worker with no last run:
  // the downloads then ask for a run instead of giving another run's results.
  await call({ type: 'restore', recipe, report }).catch(() => {});
  record(recipe, report);
  renderReport(report);
  scheduleCheck();
}

// A session file: the page as it was saved; the data files are asked for
// again unless the session holds them.
async function openSession(file) {
  let s;
  try { s = await readSession(file); } catch (err) { showError(err); return; }
  const inputs = s.data || [];
  const dataFiles = inputs.filter((f) => s.recipe.inputs.some((i) => i.file === f.name));
  await restore(s.recipe, s.report, s.data ? dataFiles : []);
  if (s.data) current.inputs = inputs;
  awaitingFiles = s.data ? [] : s.files;
  const at = new Date(s.saved).toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en-US');
  showNotice(t('session_restored', { at }) + (awaitingFiles.length ? ` ${t('session_needs_files', { files: listOf(awaitingFiles) })}` : ''));
}

// Where a step's error is shown: beside the form that ran it.
const ERROR_AFTER = { data: 'data-section', model: 'label-card', segment: 'segment-step', basket: 'basket-step', plan: 'plan-step' };

// `step`: the step that failed; its error goes beside its form and into view.
function showError(err, step = null) {
  const box = $('error');
  const anchor = $(ERROR_AFTER[step] || 'progress');
  if (anchor.nextElementSibling !== box) anchor.after(box);
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
  // An error the reading options fix: open them at the control that does.
  const fix = { ragged_rows: 'ragged-tolerance', undecodable: 'encoding', unknown_encoding: 'encoding', duplicate_header: 'header' }[err.code];
  if (fix) {
    const open = el('button', { type: 'button', 'data-testid': 'open-option' }, t(`fix_${fix.replace('-', '_')}`));
    open.addEventListener('click', () => { $('options').open = true; $(fix).focus(); });
    box.append(open);
  }
  const where = [err.file, err.line != null ? `${t('line')} ${err.line}` : null, err.column ? `${t('column')} “${err.column}”` : null].filter(Boolean);
  if (where.length) {
    const p = document.createElement('p'); p.className = 'where';
    p.textContent = `${t('where')}: ${where.join(' · ')}`; box.append(p);
  }
  if (step) box.scrollIntoView({ block: 'nearest' });
}

// What the cards may ask of the page: the run they show (read when used),
// a re-run with another recipe or files, an error shown, a column's type forced.
const app = {
  get current() { return current; },
  analyse,
  showError,
  dropped() { return (current && current.recipe.drop) || []; },
  // A column's display name (the recipe's `labels`), set from the column table.
  labelOf(column) { return (current && current.recipe.labels && current.recipe.labels[column]) || ''; },
  setLabel(column, name) {
    if (!current) return;
    const labels = { ...(current.recipe.labels || {}) };
    if (name.trim() && name.trim() !== column) labels[column] = name.trim(); else delete labels[column];
    const { labels: _old, ...rest } = current.recipe;
    current.recipe = Object.keys(labels).length ? { ...rest, labels } : rest;
    syncEditor();
    updateSteps();
  },
  // Columns excluded (the recipe's `drop`) or back in, many at once: the
  // recipe editor, the step bar and the role pickers follow once. An
  // excluded id column is no longer the id.
  setExcluded(columns, exclude) {
    if (!current) return;
    const rest = (current.recipe.drop || []).filter((c) => !columns.includes(c));
    current.recipe = { ...current.recipe, drop: exclude ? [...rest, ...columns] : rest };
    syncEditor();
    const idField = $('label-id');
    if (exclude && columns.includes(idField.value.trim())) idField.value = '';
    updateSteps();
    refreshRoles();
  },
  restore: (recipe, report) => restore(recipe, report).catch(showError),
  // A step run from its form: the current recipe with that step's section.
  // `inputs`: the files it reads when a form adds one (a basket file).
  runStep(step, recipe, inputs = null) {
    if (current) analyse(current.files, recipe, inputs || current.inputs, step);
  },
  // A column's role: the id field names the id, the rule's columns are the
  // label's sources, `drop` the excluded; an id-typed column is never a feature.
  roleOf(column, kind) {
    if ($('label-id').value.trim() === column) return 'id';
    if (ruleColumns.includes(column)) return 'label';
    if (app.dropped().includes(column)) return 'exclude';
    return kind === 'id' ? 'id' : 'feature';
  },
  setRole(column, role) {
    if (!current) return;
    const idField = $('label-id');
    if (role === 'id') idField.value = column;
    else if (idField.value.trim() === column) idField.value = '';
    app.setExcluded([column], role === 'exclude');
    if (role === 'label') {
      const rule = $('label-rule');
      // A start the analyst completes: the column and an empty value.
      if (!rule.value.trim()) { rule.value = `${column} == ""`; rule.setSelectionRange(rule.value.length - 1, rule.value.length - 1); }
      rule.focus();
      scheduleCheck();
    }
  },
  // The probable leaks the last model named.
  leaks() { return (lastReport && lastReport.model && lastReport.model.leak_warnings) || []; },
  // Leave a probable leak out and train again.
  excludeAndTrain(column) {
    app.setRole(column, 'exclude');
    trainWithRule();
  },
  // The analyst's bins of one scorecard characteristic, fixed in the
  // recipe (model.scorecard.per_column) and the model fitted again.
  refitScorecard(column, setting) {
    if (!current || !current.recipe.model) return;
    const model = current.recipe.model;
    const sc = model.scorecard || {};
    const recipe = { ...current.recipe, model: { ...model, kind: 'scorecard', scorecard: { ...sc, per_column: { ...(sc.per_column || {}), [column]: setting } } } };
    analyse(current.files, recipe, current.inputs);
  },
  setSheet(file, sheet) {
    sheetChoice[file] = sheet;
    // Another sheet has other columns: the types forced on this one do not carry over.
    delete typeOverrides[file];
    if (chosenFiles.length) analyse(chosenFiles);
  },
  setType(file, column, kind) {
    typeOverrides[file] = { ...(typeOverrides[file] || {}), [column]: kind };
    if (chosenFiles.length) analyse(chosenFiles);
  },
};

// `keepReused`: the cards of the steps the core took over from the run on
// screen stay as they are (their charts, picks and scroll); only the
// steps that ran get new cards.
function renderReport(report, { keepReused = false } = {}) {
  if (report.label && report.label.columns) ruleColumns = report.label.columns;
  setDisplayNames(current && current.recipe.labels);
  const root = $('results');
  const reused = new Set(keepReused ? report.reused || [] : []);
  const shown = (id) => [...root.querySelectorAll(`:scope > [data-testid=${id}]`)];
  // Anything taken over means the same bytes read the same way: the column tables stay too.
  const kept = {
    data: reused.size ? [...shown('table-card'), ...shown('join-card')] : [],
    overview: reused.has('overview') ? shown('overview-card') : [],
    model: reused.has('model') ? shown('model-card') : [],
  };
  const card = (step, make) => (kept[step].length ? kept[step] : [make()]);
  root.replaceChildren();
  if (kept.data.length) root.append(...kept.data.filter((c) => c.dataset.testid === 'table-card'));
  else for (const tr of report.tables) root.append(tableCard(tr, app));
  if (report.alerts && report.alerts.length) root.append(alertsCard(report.alerts));
  root.append(exportBar(report, app));
  if (report.overview) root.append(...card('overview', () => overviewCard(report.overview, report.label)));
  if (report.model) {
    const [m] = card('model', () => modelCard(report.model, app));
    // A kept model card lists the same customers; their segments may be new.
    if (kept.model.length && m.setCandidates) m.setCandidates(report.model.candidates);
    root.append(m);
  }
  if (report.applied) root.append(appliedCard(report.applied));
  if (report.segment) root.append(segmentCard(report.segment, app));
  if (report.basket) root.append(basketCard(report.basket, app));
  if (report.plan) root.append(planCard(report.plan, app));
  if (report.join) root.append(...(kept.data.some((c) => c.dataset.testid === 'join-card') ? kept.data.filter((c) => c.dataset.testid === 'join-card') : [joinCard(report.join, app)]));
  for (const chart of root.querySelectorAll('.roc')) addPngButton(chart);
  segmentForm(report, current.recipe, app);
  basketForm(report, current.recipe, app);
  planForm(report, current.recipe, app);
  renderHistory(app);
  updateSteps();
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
  if (!choice) {
    const files = await Promise.all(SAMPLE.map(fetchFile));
    return analyse(files, SAMPLE_RECIPE, files, 'model');
  }
  const recipe = JSON.parse(await (await fetchFile(`recipes/${choice}.json`)).text());
  const dir = (recipe.data_dir || '').replace(/^\.\.\//, '');
  const names = recipe.inputs.flatMap((i) => (i.columns_file ? [i.file, i.columns_file] : [i.file]));
  const files = await Promise.all(names.map((n) => fetchFile(`${dir}/${n}`)));
  await analyse(files.filter((f) => recipe.inputs.some((i) => i.file === f.name)), recipe, files);
}
function init() {
  setLang(getLang());
  newWorker();
  updateSteps();
  $('lang').addEventListener('click', () => {
    setLang(getLang() === 'zh' ? 'en' : 'zh');
    if (lastReport) renderReport(lastReport);
    updateSteps();
    scheduleCheck(); // the rule check speaks the new language too
  });
  $('file-input').addEventListener('change', (e) => { if (e.target.files.length) chooseFiles([...e.target.files]); });
  $('session-input').addEventListener('change', (e) => { const f = e.target.files[0]; e.target.value = ''; if (f) openSession(f).catch(showError); });
  $('save-session').addEventListener('click', () => {
    if (!current || !lastReport) return;
    saveSession({ recipe: current.recipe, rule: $('label-rule').value, id: $('label-id').value, report: lastReport, inputs: current.inputs }, $('session-data').checked)
      .catch(showError);
  });
  // Files dropped anywhere on the page are read as if chosen.
  const dragging = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  document.addEventListener('dragover', (e) => { if (dragging(e)) { e.preventDefault(); document.body.classList.add('dropping'); } });
  document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) document.body.classList.remove('dropping'); });
  document.addEventListener('drop', (e) => {
    document.body.classList.remove('dropping');
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    e.preventDefault();
    chooseFiles([...e.dataTransfer.files]);
  });
  const startSample = () => loadSample().catch((e) => showError({ code: 'internal', message_en: String(e), message_zh: String(e) }));
  $('sample').addEventListener('click', startSample);
  // A scenario picked from the list starts at once (the quick sample takes the button).
  $('sample-choice').addEventListener('change', () => { if ($('sample-choice').value) startSample(); });
  $('rerun').addEventListener('click', () => { if (chosenFiles.length) analyse(chosenFiles); });
  $('cancel').addEventListener('click', () => cancel());
  // Past the column tables: to the first result card after them.
  document.querySelector('.skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    scrollAndFocus($('results').querySelector(':scope > :not([data-testid=table-card])') || $('results'));
  });
  $('train').addEventListener('click', trainWithRule);
  $('label-rule').addEventListener('keydown', (e) => { if (e.key === 'Enter') trainWithRule(); });
  $('label-rule').addEventListener('input', () => { scheduleCheck(); updateSteps(); });
  $('label-id').addEventListener('input', refreshRoles);
  $('model-input').addEventListener('change', (e) => { applyModel([...e.target.files]); e.target.value = ''; });
  // When it became ready, in the page's clock, for the start-up benchmark
  // (what runs on the page's thread next would delay reading the clock after).
  const markReady = () => {
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = '1';
  };
  call({ type: 'version' }).then((v) => { $('version').textContent = `v${v}`; markReady(); }, markReady);
  applyStatic();
}

// For the end-to-end test only: trap the wasm core on purpose and show what
// the analyst would see.
// memoryLimit lowers the page's estimate ceiling; memoryCap the core's
// allocator ceiling (in the current worker), to reach both out-of-memory paths.
globalThis.kequnTest = {
  trap: () => call({ type: 'trap' }).catch(showError),
  memoryLimit: undefined,
  memoryCap: (bytes, relative = false) => call({ type: 'memory_cap', bytes, relative }),
  // How the worker's warm-up went: 'done', 'skipped' (the core was used first) or what failed.
  warmed: () => call({ type: 'warmed' }),
};

init();
