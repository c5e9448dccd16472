// The model card: metrics, ROC, coefficients, gains, threshold, tree rules, and the candidate table.
import { t, getLang } from '../i18n.js';
import { el, pct, downloadFile, chartIn, chartTitle, headRow, kpiRow, listOf, clausesOf, shown } from './helpers.js';
import { call } from './worker-client.js';
import { scorecardSection } from './scorecard.js';

// The candidate list: sortable by clicking a heading (or Enter on it),
// searchable by customer id or reason, 20 rows a page.
// A driver as people read it: "余额 = 2,143 → +0.51".
export function driverText(d) {
  const v = d.value === '' ? t('missing_value') : (/^-?\d+(\.\d+)?$/.test(d.value) ? Number(d.value).toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: 6 }) : d.value);
  return `${shown(d.column)} = ${v} → ${d.contribution >= 0 ? '+' : ''}${d.contribution.toFixed(2)}`;
}

export const reasonText = (c) => (c.reason_codes && c.reason_codes.length
  ? clausesOf(c.reason_codes.map((r) => t('reason_code', { c: r.characteristic, bin: r.bin, n: r.points_lost })))
  : c.drivers && c.drivers.length
  ? clausesOf(c.drivers.slice(0, 3).map(driverText))
  : c.reasons.map(([s, v]) => `${shown(s)} (+${v.toFixed(2)})`).join(getLang() === 'zh' ? '，' : ', '));

function candidateTable(all, onPick = () => {}) {
  const PAGE = 20;
  const ranked = all.map((c, i) => ({ ...c, rank: i + 1 }));
  // A scorecard's list shows each customer's score (higher = lower risk).
  const scored = all.some((c) => c.score != null);
  // Without an id column customers are their row numbers; deciles and segments when the run has them.
  const byRow = all.length > 0 && all.every((c) => !c.id);
  const who = (c) => (byRow ? String(c.row + 1) : c.id);
  const deciles = all.some((c) => c.decile > 0);
  const segments = all.some((c) => c.segment);
  const names = all.some((c) => c.name);
  let page = 0, key = 'rank', dir = 1, query = '';
  const body = el('tbody', {});
  const meta = el('span', { class: 'meta', 'data-testid': 'candidates-meta' });
  const prev = el('button', { type: 'button', 'data-testid': 'candidates-prev' }, t('prev'));
  const next = el('button', { type: 'button', 'data-testid': 'candidates-next' }, t('next'));
  const search = el('input', { type: 'search', placeholder: t('candidate_search'), 'aria-label': t('candidate_search'), 'data-testid': 'candidates-search' });
  const rows = () => {
    const q = query.trim();
    // A customer found by id (or row number), or the rows a reason or segment names.
    const list = q ? ranked.filter((c) => (byRow ? who(c) === q : c.id.includes(q)) || c.reasons.some(([s]) => s.includes(q)) || (c.segment || '').includes(q) || (c.name || '').includes(q)) : ranked.slice();
    const val = (c) => (key === 'customer' ? (byRow ? c.row : c.id) : key === 'probability' ? c.probability : key === 'score' ? c.score : c.rank);
    return list.sort((a, b) => (val(a) < val(b) ? -dir : val(a) > val(b) ? dir : 0));
  };
  const show = () => {
    const list = rows();
    const pages = Math.max(1, Math.ceil(list.length / PAGE));
    page = Math.min(page, pages - 1);
    body.replaceChildren(...list.slice(page * PAGE, (page + 1) * PAGE).map((c) => {
      const tr = el('tr', { 'data-id': who(c), tabindex: '0', class: 'pick' },
        el('td', { class: 'num' }, String(c.rank)), el('td', { class: byRow ? 'num' : '' }, who(c)),
        ...(scored ? [el('td', { class: 'num', 'data-testid': 'candidate-score' }, String(c.score))] : []),
        el('td', { class: 'num' }, pct(c.probability)),
        ...(deciles ? [el('td', { class: 'num', 'data-cell': 'decile' }, String(c.decile))] : []),
        ...(segments ? [el('td', { 'data-cell': 'segment' }, c.segment || '–')] : []),
        ...(names ? [el('td', { 'data-cell': 'name' }, c.name || '–')] : []),
        el('td', { class: 'summary' }, reasonText(c)));
      tr.addEventListener('click', () => onPick(c));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') onPick(c); });
      return tr;
    }));
    meta.textContent = t('candidates_meta', { n: list.length, page: page + 1, pages });
    prev.disabled = page === 0; next.disabled = page + 1 >= pages;
  };
  const heads = ['rank', 'customer', ...(scored ? ['score'] : []), 'probability', ...(deciles ? ['decile'] : []), ...(segments ? ['segment_col'] : []), ...(names ? ['name_col'] : []), 'reasons'].map((k) => {
    if (k === 'reasons' || k === 'decile' || k === 'segment_col' || k === 'name_col') return el('th', {}, t(k));
    const th = el('th', { class: 'sortable', tabindex: '0', 'data-sort': k, 'aria-sort': 'none' }, k === 'customer' && byRow ? t('row_number') : t(k));
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


// A probable leak, and the one click that leaves it out and trains again.
function leakWarning(w, app) {
  const exclude = el('button', { type: 'button', 'data-testid': 'leak-exclude' }, t('leak_exclude', { c: w.column }));
  exclude.addEventListener('click', () => app.excludeAndTrain(w.column));
  return el('p', { class: 'warning', 'data-testid': 'leak-warning', 'data-column': w.column }, getLang() === 'zh' ? w.message_zh : w.message, ' ', exclude);
}

const KIND_KEY = { logistic: 'mk_logistic', gbdt: 'mk_gbdt', tree: 'mk_tree', scorecard: 'mk_scorecard' };
const kindName = (k) => t(KIND_KEY[k] || k);
const logit = (p) => Math.log(p / (1 - p));

// The models side by side: test AUC, CV AUC ± sd, KS, fit time; ★ = chosen.
function comparisonTable(rows) {
  const cv = (r) => (r.cv_auc == null ? '–' : `${r.cv_auc.toFixed(3)} ± ${r.cv_sd.toFixed(3)}`);
  return el('div', { 'data-testid': 'model-comparison' }, el('h3', {}, t('comparison_title')),
    el('table', { class: 'columns' }, headRow(['cmp_model', 'cmp_test_auc', 'cmp_cv_auc', 'KS', 'cmp_fit']),
      el('tbody', {}, ...rows.map((r) => el('tr', { 'data-kind': r.kind, class: r.chosen ? 'chosen' : '' },
        el('th', {}, `${kindName(r.kind)}${r.chosen ? ' ★' : ''}`), el('td', { class: 'num', 'data-cell': 'test_auc' }, r.test_auc.toFixed(3)),
        el('td', { class: 'num', 'data-cell': 'cv_auc' }, cv(r)), el('td', { class: 'num' }, r.ks.toFixed(3)),
        el('td', { class: 'num' }, r.fit_seconds.toFixed(2)))))));
}

// Mean |SHAP| per column as bars, largest on top.
function drawShapBar(div, importance) {
  const top = importance.slice(0, 12).reverse();
  chartIn(div).setOption({
    animation: false, title: chartTitle(t('shap_bar')), tooltip: {},
    grid: { left: 150, right: 20, top: 30, bottom: 25 },
    xAxis: { type: 'value' }, yAxis: { type: 'category', data: top.map(([c]) => c), axisLabel: { width: 140, overflow: 'truncate' } },
    series: [{ type: 'bar', data: top.map(([, v]) => +v.toFixed(4)), itemStyle: { color: '#ee6666' } }],
  });
}

// Each column's numbers scaled to 0..1 over the sample (for colour).
function scaled(sample, j) {
  const vs = sample.value.map((r) => r[j]).filter((v) => v != null);
  const lo = Math.min(...vs), hi = Math.max(...vs);
  return (v) => (v == null || !(hi > lo) ? null : (v - lo) / (hi - lo));
}

// One row of dots per column: contribution along x, colour by the value (blue low, red high; grey for categories).
function drawBeeswarm(div, sample) {
  const cols = sample.columns.slice(0, 10);
  const data = [];
  cols.forEach((c, j) => {
    const sc = scaled(sample, j);
    sample.shap.forEach((row, k) => {
      // A fixed spread across the row so dots do not hide each other.
      const jitter = ((k * 37) % 100) / 100 * 0.6 - 0.3;
      const v = sample.categorical[j] ? null : sc(sample.value[k][j]);
      data.push({ value: [row[j], cols.length - 1 - j + jitter, v == null ? -1 : v, sample.text[k][j]],
        itemStyle: v == null ? { color: '#aaa' } : undefined });
    });
  });
  chartIn(div).setOption({
    animation: false, title: chartTitle(t('shap_beeswarm')),
    tooltip: { formatter: (p) => `${cols[cols.length - 1 - Math.round(p.value[1])]} = ${p.value[3]}<br>${t('shap_value')} ${p.value[0].toFixed(3)}` },
    grid: { left: 150, right: 60, top: 30, bottom: 35 },
    xAxis: { type: 'value', name: t('shap_value'), nameLocation: 'middle', nameGap: 22 },
    yAxis: { type: 'value', min: -1, max: cols.length, interval: 1,
      axisLabel: { formatter: (v) => cols[cols.length - 1 - v] || '', width: 140, overflow: 'truncate' }, splitLine: { show: false } },
    visualMap: { type: 'continuous', min: 0, max: 1, dimension: 2, right: 0, top: 'middle', itemHeight: 120,
      text: [t('value_high'), t('value_low')], inRange: { color: ['#5470c6', '#ee6666'] }, outOfRange: { color: '#aaa' } },
    series: [{ type: 'scatter', symbolSize: 4, data }],
  });
}

// One column's value against its contribution.
function drawDependence(div, sample, column) {
  const j = sample.columns.indexOf(column);
  const chart = echartsOf(div);
  if (sample.categorical[j]) {
    const levels = [...new Set(sample.text.map((r) => r[j]))].sort();
    chart.setOption({
      animation: false, title: chartTitle(`${t('shap_dependence')}: ${column}`), tooltip: {},
      grid: { left: 55, right: 20, top: 30, bottom: 45 },
      xAxis: { type: 'category', data: levels.map((l) => l || t('missing_value')) }, yAxis: { type: 'value', name: t('shap_value') },
      series: [{ type: 'scatter', symbolSize: 5, data: sample.shap.map((r, k) => [levels.indexOf(sample.text[k][j]), r[j]]) }],
    }, true);
    return;
  }
  chart.setOption({
    animation: false, title: chartTitle(`${t('shap_dependence')}: ${column}`), tooltip: {},
    grid: { left: 55, right: 20, top: 30, bottom: 45 },
    xAxis: { type: 'value', name: column, nameLocation: 'middle', nameGap: 25, scale: true }, yAxis: { type: 'value', name: t('shap_value') },
    series: [{ type: 'scatter', symbolSize: 5, data: sample.shap.map((r, k) => [sample.value[k][j], r[j]]).filter((d) => d[0] != null) }],
  }, true);
}

// From the base value, each driver's bar up (red) or down (blue), the other
// columns together, to the customer's score; all in log-odds.
function drawWaterfall(div, c, base) {
  const total = logit(Math.min(Math.max(c.probability, 1e-12), 1 - 1e-12));
  const steps = c.drivers.map((d) => [driverText(d).replace(/ → .*$/, ''), d.contribution]);
  const rest = total - base - c.drivers.reduce((s, d) => s + d.contribution, 0);
  if (Math.abs(rest) > 1e-9) steps.push([t('others'), rest]);
  // Each bar floats from `from` to `from + size`: an invisible stacked bar, then the visible one.
  const names = [t('base_value')], from = [0], size = [{ value: base, itemStyle: { color: '#999' } }];
  let at = base;
  for (const [name, v] of steps) {
    names.push(name);
    from.push(Math.min(at, at + v));
    size.push({ value: Math.abs(v), itemStyle: { color: v >= 0 ? '#ee6666' : '#5470c6' } });
    at += v;
  }
  names.push(`${t('probability')} ${pct(c.probability)}`); from.push(0); size.push({ value: at, itemStyle: { color: '#333' } });
  echartsOf(div).setOption({
    animation: false, title: chartTitle(t('waterfall_title', { id: c.id, base: base.toFixed(2) })),
    tooltip: { trigger: 'axis', formatter: (ps) => { const k = ps[0].dataIndex; return k === 0 || k === names.length - 1 ? `${names[k]}: ${(k === 0 ? base : at).toFixed(3)}` : `${names[k]} → ${steps[k - 1][1] >= 0 ? '+' : ''}${steps[k - 1][1].toFixed(3)}`; } },
    grid: { left: 200, right: 30, top: 30, bottom: 25 },
    yAxis: { type: 'category', inverse: true, data: names, axisLabel: { width: 190, overflow: 'truncate' } }, xAxis: { type: 'value', scale: true },
    series: [
      { type: 'bar', stack: 'w', stackStrategy: 'all', data: from, itemStyle: { color: 'transparent' }, emphasis: { disabled: true } },
      { type: 'bar', stack: 'w', stackStrategy: 'all', data: size },
    ],
  }, true);
}

// The chart already in `div`, or a new one.
const echartsOf = (div) => div._chart || (div._chart = chartIn(div));

// Label, metrics, ROC, strongest coefficients and the candidate list.
export function modelCard(m, app = {}) {
  const mt = m.metrics;
  const kpis = [['AUC', mt.auc.toFixed(3)], [t(m.cv_all_rows ? 'cv_auc_all' : 'cv_auc'), m.cv_auc == null ? '–' : `${m.cv_auc.toFixed(3)} ± ${m.cv_sd.toFixed(3)}`], ['KS', mt.ks.toFixed(3)],
    [t('accuracy'), pct(mt.accuracy)], [t('precision'), pct(mt.precision)], [t('recall'), pct(mt.recall)], ['F1', mt.f1.toFixed(3)]];
  const kpiTiles = kpiRow(kpis);
  const coefRows = m.coefficients.slice(0, 10).map((c) => el('tr', {}, el('td', {}, c.feature),
    el('td', { class: 'num' }, c.coef.toFixed(3)), el('td', { class: 'num' }, c.odds_ratio.toFixed(2))));
  // Coefficients belong to the logistic model: shown when it is the chosen one.
  const showCoef = m.coefficients.length > 0 && (m.kind || 'logistic') === 'logistic';
  const coefTable = el('table', { class: 'columns' }, headRow(['feature', 'coef', 'odds_ratio']), el('tbody', {}, ...coefRows));
  // A customer's waterfall: the first on the list, then whichever row is picked.
  const waterfall = el('div', { class: 'roc wide', 'data-testid': 'waterfall' });
  const pick = (c) => { waterfall.dataset.id = c.id; if (c.drivers && c.drivers.length) drawWaterfall(waterfall, c, m.base_value); };
  // The list shown (a later segment run names the same customers' segments anew).
  let listed = m.candidates;
  let candTable = candidateTable(listed, pick);
  const comparison = (m.comparison || []).length > 1 ? comparisonTable(m.comparison) : null;
  const shapBar = el('div', { class: 'roc', 'data-testid': 'shap-bar' });
  const beeswarm = el('div', { class: 'roc', 'data-testid': 'shap-beeswarm' });
  const dependence = el('div', { class: 'roc', 'data-testid': 'shap-dependence' });
  const sample = m.shap && m.shap.columns.length ? m.shap : null;
  const depPick = el('select', { 'data-testid': 'dependence-column', id: 'dependence-column', 'aria-label': t('dependence_column') },
    ...(sample ? sample.columns : []).map((c) => el('option', { value: c }, c)));
  depPick.addEventListener('change', () => drawDependence(dependence, sample, depPick.value));
  const g = m.gbdt;
  const gbdtLine = g && m.kind === 'gbdt' ? el('p', { class: 'meta', 'data-testid': 'gbdt-summary' }, t('gbdt_summary',
    { trees: g.trees, leaves: g.params.num_leaves, lr: g.params.learning_rate, cats: listOf(g.categorical) || '–' })) : null;
  const coefChart = el('div', { class: 'roc', 'data-testid': 'coef-chart' });
  const roc = el('div', { class: 'roc', 'data-testid': 'roc' });
  // The CSV is written by the core (UTF-8 with BOM, so Excel shows Chinese) and saved from a blob: URL.
  const download = el('button', { type: 'button', 'data-testid': 'download-candidates' }, t('download_csv'));
  download.addEventListener('click', async () => {
    const text = await call({ type: 'candidates_csv', candidates: listed });
    downloadFile(text, 'candidates.csv', 'text/csv;charset=utf-8');
  });
  // The saved model applies to next month's file here or with `kequn score`.
  const saveModel = el('button', { type: 'button', 'data-testid': 'save-model' }, t('save_model'));
  saveModel.addEventListener('click', () => downloadFile(JSON.stringify(m.model, null, 1), 'model.json', 'application/json'));
  // The same model as one SQL query for the warehouse (written by the core, as `kequn export-sql`).
  const sqlDialect = el('select', { 'data-testid': 'sql-dialect', id: 'sql-dialect', 'aria-label': t('sql_dialect') },
    ...[['duckdb', 'DuckDB'], ['spark', 'Spark SQL / Hive'], ['postgres', 'PostgreSQL']].map(([v, n]) => el('option', { value: v }, n)));
  const sqlTable = el('input', { type: 'text', id: 'sql-table', 'data-testid': 'sql-table', 'aria-label': t('sql_table'), value: 'customers', size: '14' });
  const sqlId = el('input', { type: 'text', id: 'sql-id', 'data-testid': 'sql-id', 'aria-label': t('sql_id'), size: '12', value: (document.getElementById('label-id') || {}).value || '' });
  const sqlError = el('p', { class: 'warning', role: 'alert', 'data-testid': 'sql-error', hidden: true });
  const exportSql = el('button', { type: 'button', 'data-testid': 'export-sql' }, t('export_sql'));
  exportSql.addEventListener('click', async () => {
    sqlError.hidden = true;
    try {
      const text = await call({ type: 'model_sql', model: m.model, dialect: sqlDialect.value, table: sqlTable.value, id_column: sqlId.value });
      downloadFile(text, `score-${sqlDialect.value}.sql`, 'application/sql;charset=utf-8');
    } catch (err) {
      sqlError.textContent = getLang() === 'zh' ? err.message_zh : err.message_en;
      sqlError.hidden = false;
    }
  });
  const sqlRow = el('div', { class: 'row', 'data-testid': 'sql-export' },
    el('label', { for: 'sql-dialect' }, t('sql_dialect')), sqlDialect,
    el('label', { for: 'sql-table' }, t('sql_table')), sqlTable,
    el('label', { for: 'sql-id' }, t('sql_id')), sqlId, exportSql);
  // Threshold slider: the confusion matrix at any cut, from the ROC points and their scores.
  const P = mt.positives, N = mt.rows - mt.positives;
  const confusion = el('div', { 'data-testid': 'confusion' });
  const slider = el('input', { type: 'range', min: '0.01', max: '0.99', step: '0.01', value: '0.5', 'data-testid': 'threshold', 'aria-label': t('threshold') });
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
    m.leakage_removed.length ? el('p', { class: 'warning', 'data-testid': 'leakage' }, t('leakage', { cols: listOf(m.leakage_removed) })) : null,
    ...(m.leak_warnings || []).map((w) => leakWarning(w, app)),
    m.unknown_label_rows ? el('p', { class: 'warning' }, t('unknown_label', { n: m.unknown_label_rows })) : null,
    m.dropped_rows ? el('p', { class: 'warning' }, t('dropped_rows', { n: m.dropped_rows })) : null,
    m.dropped_columns.length ? el('p', { class: 'hint' }, `${t('dropped_columns')}: ${listOf(m.dropped_columns.map((d) => (getLang() === 'zh' ? `${d.column}（${d.reason}）` : `${d.column} (${d.reason})`)))}`) : null,
    el('p', { class: 'meta', 'data-testid': 'model-kind-shown', 'data-kind': m.kind || 'logistic' }, `${t('model_kind')}: ${kindName(m.kind || 'logistic')}`),
    gbdtLine,
    kpiTiles,
    m.scorecard ? scorecardSection(m.scorecard, (col, setting) => app.refitScorecard && app.refitScorecard(col, setting)).section : null,
    comparison,
    el('div', { class: 'two' }, roc, showCoef ? coefChart : shapBar),
    showCoef ? el('div', {}, el('h3', {}, t('top_coefficients')), coefTable) : null,
    showCoef && sample ? el('div', { class: 'two' }, shapBar, beeswarm) : null,
    sample ? el('div', { class: 'two' }, showCoef ? null : beeswarm,
      el('div', {}, el('label', { for: 'dependence-column' }, `${t('dependence_column')} `), depPick, dependence)) : null,
    el('div', { class: 'two' }, gains, el('div', {}, el('h3', {}, t('confusion_title')), slider, confusion)),
    m.tree ? el('div', { 'data-testid': 'tree-rules' }, el('h3', {}, t('tree_title', { auc: m.tree.auc.toFixed(3), leaves: m.tree.leaves })),
      el('ol', { class: 'rules' }, ...m.tree.rules.slice(0, 6).map((r) => el('li', {},
        `${t('if')} ${r.conditions.join(` ${t('and')} `)} → ${pct(r.positive_rate)}（${r.rows} ${t('rows')}）`)))) : null,
    el('h3', {}, t('candidates_title', { n: m.candidates.length, shown: Math.min(20, m.candidates.length) })),
    m.candidates.length && m.candidates.every((c) => !c.id) ? el('p', { class: 'hint', 'data-testid': 'by-row-note' }, t('by_row_note')) : null,
    el('div', { class: 'row' }, download, saveModel),
    sqlRow, sqlError,
    candTable,
    m.candidates.length && m.candidates[0].drivers ? el('div', {}, el('p', { class: 'hint' }, t('waterfall_hint')), waterfall) : null);
  card.setCandidates = (list) => {
    listed = list;
    const fresh = candidateTable(list, pick);
    candTable.replaceWith(fresh);
    candTable = fresh;
  };
  // The chart needs the element in the page to size itself.
  requestAnimationFrame(() => {
    const c = chartIn(roc);
    c.setOption({
      animation: false, title: chartTitle('ROC'),
      grid: { left: 45, right: 15, top: 30, bottom: 35 },
      xAxis: { type: 'value', min: 0, max: 1, name: 'FPR', nameLocation: 'middle', nameGap: 22 },
      yAxis: { type: 'value', min: 0, max: 1, name: 'TPR' },
      legend: comparison ? { bottom: 0, data: m.comparison.map((r) => kindName(r.kind)) } : undefined,
      series: [...(comparison
        ? m.comparison.map((r) => ({ type: 'line', name: kindName(r.kind), showSymbol: false, data: r.roc }))
        : [{ type: 'line', showSymbol: false, data: mt.roc, areaStyle: { opacity: 0.1 } }]),
      { type: 'line', showSymbol: false, data: [[0, 0], [1, 1]], lineStyle: { type: 'dashed', color: '#999' } }],
    });
    if (comparison) c.setOption({ title: chartTitle(t('roc_compare')), grid: { bottom: 55 } });
    drawShapBar(shapBar, m.importance);
    if (sample) { drawBeeswarm(beeswarm, sample); drawDependence(dependence, sample, sample.columns[0]); }
    if (m.candidates.length && m.candidates[0].drivers) pick(m.candidates[0]);
    // The strongest coefficients as bars: red raises the probability, blue lowers it.
    const top = showCoef ? m.coefficients.slice(0, 15).reverse() : [];
    if (top.length) {
      chartIn(coefChart).setOption({
        animation: false, title: chartTitle(t('coef_chart')),
        tooltip: {}, grid: { left: 150, right: 20, top: 30, bottom: 25 },
        xAxis: { type: 'value' }, yAxis: { type: 'category', data: top.map((c) => c.feature), axisLabel: { width: 140, overflow: 'truncate' } },
        series: [{ type: 'bar', data: top.map((c) => ({ value: +c.coef.toFixed(4), itemStyle: { color: c.coef >= 0 ? '#ee6666' : '#5470c6' } })) }],
      });
    }
    chartIn(gains).setOption({
      animation: false, title: chartTitle(t('gains_title')),
      tooltip: { trigger: 'axis' }, grid: { left: 45, right: 45, top: 30, bottom: 35 },
      xAxis: { type: 'category', data: mt.deciles.map((_, i) => `${(i + 1) * 10}%`) },
      yAxis: [{ type: 'value', name: t('lift') }, { type: 'value', min: 0, max: 1, name: t('gain') }],
      series: [{ type: 'bar', name: t('lift'), data: mt.deciles.map((d) => +d.lift.toFixed(2)) },
        { type: 'line', name: t('gain'), yAxisIndex: 1, data: mt.deciles.map((d) => +d.cumulative_gain.toFixed(3)) }],
    });
  });
  return card;
}
