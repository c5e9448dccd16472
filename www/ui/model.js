// The model card: metrics, ROC, coefficients, gains, threshold, tree rules, and the candidate table.
import { t, getLang } from '../i18n.js';
import { el, pct, downloadFile, chartIn, chartTitle, headRow, kpiRow } from './helpers.js';
import { call } from './worker-client.js';

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
export function modelCard(m) {
  const mt = m.metrics;
  const kpis = [['AUC', mt.auc.toFixed(3)], [t('cv_auc'), m.cv_auc == null ? '–' : m.cv_auc.toFixed(3)], ['KS', mt.ks.toFixed(3)],
    [t('accuracy'), pct(mt.accuracy)], [t('precision'), pct(mt.precision)], [t('recall'), pct(mt.recall)], ['F1', mt.f1.toFixed(3)]];
  const kpiTiles = kpiRow(kpis);
  const coefRows = m.coefficients.slice(0, 10).map((c) => el('tr', {}, el('td', {}, c.feature),
    el('td', { class: 'num' }, c.coef.toFixed(3)), el('td', { class: 'num' }, c.odds_ratio.toFixed(2))));
  const coefTable = el('table', { class: 'columns' }, headRow(['feature', 'coef', 'odds_ratio']), el('tbody', {}, ...coefRows));
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
    ...(m.leak_warnings || []).map((w) => el('p', { class: 'warning', 'data-testid': 'leak-warning', 'data-column': w.column }, getLang() === 'zh' ? w.message_zh : w.message)),
    m.unknown_label_rows ? el('p', { class: 'warning' }, t('unknown_label', { n: m.unknown_label_rows })) : null,
    m.dropped_rows ? el('p', { class: 'warning' }, t('dropped_rows', { n: m.dropped_rows })) : null,
    m.dropped_columns.length ? el('p', { class: 'hint' }, `${t('dropped_columns')}: ${m.dropped_columns.map((d) => `${d.column}（${d.reason}）`).join('，')}`) : null,
    kpiTiles,
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
    const c = chartIn(roc);
    c.setOption({
      animation: false, title: chartTitle('ROC'),
      grid: { left: 45, right: 15, top: 30, bottom: 35 },
      xAxis: { type: 'value', min: 0, max: 1, name: 'FPR', nameLocation: 'middle', nameGap: 22 },
      yAxis: { type: 'value', min: 0, max: 1, name: 'TPR' },
      series: [{ type: 'line', showSymbol: false, data: mt.roc, areaStyle: { opacity: 0.1 } },
        { type: 'line', showSymbol: false, data: [[0, 0], [1, 1]], lineStyle: { type: 'dashed', color: '#999' } }],
    });
    // The strongest coefficients as bars: red raises the probability, blue lowers it.
    const top = m.coefficients.slice(0, 15).reverse();
    const cc = chartIn(coefChart);
    cc.setOption({
      animation: false, title: chartTitle(t('coef_chart')),
      tooltip: {}, grid: { left: 150, right: 20, top: 30, bottom: 25 },
      xAxis: { type: 'value' }, yAxis: { type: 'category', data: top.map((c) => c.feature), axisLabel: { width: 140, overflow: 'truncate' } },
      series: [{ type: 'bar', data: top.map((c) => ({ value: +c.coef.toFixed(4), itemStyle: { color: c.coef >= 0 ? '#ee6666' : '#5470c6' } })) }],
    });
    const g = chartIn(gains);
    g.setOption({
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
