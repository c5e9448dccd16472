// The scorecard part of the model card: score AUC / KS / Gini and the
// scaling, the IV ranking (with why a characteristic was left out), one
// characteristic's binning table with its WOE bars and event-rate line, the
// points table, and the test scores by label. The analyst merges or splits
// a characteristic's bins here; `refit(column, binning)` runs the model
// again with those bins fixed (the recipe's model.scorecard.per_column).
import { t, getLang } from '../i18n.js';
import { el, pct, chartIn, chartTitle, headRow, kpiRow } from './helpers.js';

const num = (x, d = 4) => (Number.isFinite(x) ? (+x.toFixed(d)).toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: d }) : '–');

// What the analyst may change of a characteristic: the inner cut points
// (numeric) or the groups (categorical), taken from the fitted binning.
function editable(b) {
  return b.kind === 'numeric' ? { splits: b.splits.slice() } : { groups: b.groups.map((g) => g.slice()) };
}

// The recipe's per-column setting that holds these bins as they are.
function asSetting(b, edit) {
  const keep = { special_codes: b.special_codes, special_categories: b.special_categories };
  return edit.splits
    ? { ...keep, user_splits: edit.splits, user_splits_fixed: edit.splits.map(() => true) }
    : { ...keep, user_groups: edit.groups };
}

function binTable(b, points) {
  return el('table', { class: 'columns', 'data-testid': 'binning-table', 'data-column': b.name },
    headRow(['sc_bin', 'sc_count', 'sc_share', 'sc_events', 'sc_non_events', 'sc_event_rate', 'WOE', 'IV', 'sc_points']),
    el('tbody', {}, ...b.bins.map((bin, i) => el('tr', { 'data-bin': String(i) },
      el('td', {}, bin.label), el('td', { class: 'num' }, bin.count.toLocaleString()), el('td', { class: 'num' }, pct(bin.share)),
      el('td', { class: 'num' }, bin.event.toLocaleString()), el('td', { class: 'num' }, bin.non_event.toLocaleString()),
      el('td', { class: 'num' }, pct(bin.event_rate)), el('td', { class: 'num' }, num(bin.woe)), el('td', { class: 'num' }, num(bin.iv)),
      el('td', { class: 'num', 'data-cell': 'points' }, points.has(bin.label) ? String(points.get(bin.label)) : '–')))),
    el('tfoot', {}, el('tr', {}, el('th', {}, 'IV'), el('td', { class: 'num', 'data-cell': 'iv' }, num(b.iv)))));
}

function drawBins(div, b) {
  chartIn(div).setOption({
    animation: false, title: chartTitle(t('sc_woe_chart', { col: b.name })),
    tooltip: { trigger: 'axis' }, legend: { bottom: 0 },
    grid: { left: 50, right: 50, top: 30, bottom: 60 },
    xAxis: { type: 'category', data: b.bins.map((x) => x.label), axisLabel: { rotate: 30, width: 90, overflow: 'truncate' } },
    yAxis: [{ type: 'value', name: 'WOE' }, { type: 'value', name: t('sc_event_rate'), min: 0, axisLabel: { formatter: (v) => pct(v) } }],
    series: [
      { type: 'bar', name: 'WOE', data: b.bins.map((x) => ({ value: +x.woe.toFixed(4), itemStyle: { color: x.woe >= 0 ? '#5470c6' : '#ee6666' } })) },
      { type: 'line', name: t('sc_event_rate'), yAxisIndex: 1, data: b.bins.map((x) => +x.event_rate.toFixed(4)) },
    ],
  });
}

// Merge (drop a cut / join two groups) and split (add a cut) controls for
// one characteristic; `show` redraws the list after each change.
function editor(b, refit) {
  let edit = editable(b);
  const list = el('ol', { class: 'rules', 'data-testid': 'bin-edit' });
  const status = el('p', { class: 'hint', 'data-testid': 'bin-edit-status' });
  const apply = el('button', { type: 'button', 'data-testid': 'refit-scorecard', disabled: true }, t('sc_refit'));
  const changed = () => { apply.disabled = false; status.textContent = t('sc_edited'); show(); };
  const show = () => {
    if (edit.splits) {
      list.replaceChildren(...edit.splits.map((s, i) => {
        const merge = el('button', { type: 'button', 'data-testid': 'merge-bins', 'data-cut': String(s) }, t('sc_merge_at', { cut: num(s, 6) }));
        merge.addEventListener('click', () => { edit.splits.splice(i, 1); changed(); });
        return el('li', {}, merge);
      }));
    } else {
      list.replaceChildren(...edit.groups.slice(0, -1).map((g, i) => {
        const merge = el('button', { type: 'button', 'data-testid': 'merge-bins' }, t('sc_merge_groups', { a: g.join('/'), b: edit.groups[i + 1].join('/') }));
        merge.addEventListener('click', () => { edit.groups.splice(i, 2, [...edit.groups[i], ...edit.groups[i + 1]]); changed(); });
        return el('li', {}, merge);
      }));
    }
  };
  show();
  apply.addEventListener('click', () => refit(b.name, asSetting(b, edit)));
  const parts = [el('h4', {}, t('sc_edit_title', { col: b.name })), list];
  if (edit.splits) {
    const cut = el('input', { type: 'number', step: 'any', id: 'split-at', 'data-testid': 'split-at', size: '10' });
    const split = el('button', { type: 'button', 'data-testid': 'split-bin' }, t('sc_split'));
    split.addEventListener('click', () => {
      const v = Number(cut.value);
      if (cut.value === '' || !Number.isFinite(v) || edit.splits.includes(v)) return;
      edit.splits = [...edit.splits, v].sort((x, y) => x - y);
      cut.value = '';
      changed();
    });
    parts.push(el('div', { class: 'row' }, el('label', { for: 'split-at' }, t('sc_split_at')), cut, split));
  }
  const reset = el('button', { type: 'button', 'data-testid': 'reset-bins' }, t('sc_reset'));
  reset.addEventListener('click', () => { edit = editable(b); apply.disabled = true; status.textContent = ''; show(); });
  parts.push(el('div', { class: 'row' }, apply, reset), status);
  return el('div', { class: 'bin-editor' }, ...parts);
}

export function scorecardSection(sc, refit) {
  const zh = getLang() === 'zh';
  const binned = sc.characteristics.filter((c) => c.binning);
  const points = new Map();
  for (const r of sc.table) {
    if (!points.has(r.characteristic)) points.set(r.characteristic, new Map());
    points.get(r.characteristic).set(r.bin, r.points);
  }
  const ivChart = el('div', { class: 'roc', 'data-testid': 'iv-chart' });
  const bandsChart = el('div', { class: 'roc', 'data-testid': 'score-bands' });
  const binChart = el('div', { class: 'roc wide', 'data-testid': 'bin-chart' });
  const detail = el('div', { 'data-testid': 'binning-detail' });
  const pick = el('select', { id: 'scorecard-column', 'data-testid': 'scorecard-column' },
    ...binned.map((c) => el('option', { value: c.name }, `${c.name} · IV ${num(c.binning.iv)}${c.selected ? '' : ` (${t('sc_left_out')})`}`)));
  const showColumn = (name) => {
    const c = binned.find((x) => x.name === name);
    if (!c) return;
    pick.value = name;
    // replaceChildren would print a null: the note only when left out.
    const note = c.selected ? [] : [el('p', { class: 'hint' }, `${t('sc_left_out')}: ${(zh ? c.reason_zh : c.reason) || ''}`)];
    detail.replaceChildren(...note, binTable(c.binning, points.get(name) || new Map()), editor(c.binning, refit));
    requestAnimationFrame(() => drawBins(binChart, c.binning));
  };
  pick.addEventListener('change', () => showColumn(pick.value));
  const dropped = sc.characteristics.filter((c) => !c.selected);
  const p = sc.params;
  const section = el('div', { 'data-testid': 'scorecard' },
    el('h3', {}, t('sc_title')),
    kpiRow([[t('sc_auc'), sc.test_auc.toFixed(3)], ['KS', sc.test_ks.toFixed(3)], ['Gini', sc.test_gini.toFixed(3)],
      [t('sc_kept'), `${sc.characteristics.length - dropped.length} / ${sc.characteristics.length}`]], { 'data-testid': 'scorecard-kpis' }),
    el('p', { class: 'meta', 'data-testid': 'scorecard-scaling' }, t('sc_scaling', { points: p.base_points, odds: p.base_odds, pdo: p.pdo, base: sc.base_points })),
    el('p', { class: 'hint' }, zh ? sc.woe_convention_zh : sc.woe_convention),
    el('div', { class: 'two' }, ivChart, bandsChart),
    dropped.length ? el('details', { 'data-testid': 'scorecard-dropped' }, el('summary', {}, t('sc_dropped', { n: dropped.length })),
      el('ul', {}, ...dropped.map((c) => el('li', {}, `${c.name}: ${(zh ? c.reason_zh : c.reason) || ''}`)))) : null,
    el('div', { class: 'row' }, el('label', { for: 'scorecard-column' }, t('sc_column')), pick),
    binChart, detail,
    el('details', { 'data-testid': 'scorecard-points' }, el('summary', {}, t('sc_points_table', { n: sc.table.length })),
      el('table', { class: 'columns' }, headRow(['sc_characteristic', 'sc_bin', 'WOE', 'sc_points']),
        el('tbody', {}, ...sc.table.map((r) => el('tr', {}, el('td', {}, r.characteristic), el('td', {}, r.bin),
          el('td', { class: 'num' }, num(r.woe)), el('td', { class: 'num' }, String(r.points))))))));
  requestAnimationFrame(() => {
    const ranked = sc.characteristics.slice(0, 20).reverse();
    chartIn(ivChart).setOption({
      animation: false, title: chartTitle(t('sc_iv_chart')), tooltip: {},
      grid: { left: 140, right: 20, top: 30, bottom: 25 },
      xAxis: { type: 'value' }, yAxis: { type: 'category', data: ranked.map((c) => c.name), axisLabel: { width: 130, overflow: 'truncate' } },
      series: [{ type: 'bar', data: ranked.map((c) => ({ value: +(c.binning ? c.binning.iv : 0).toFixed(4), itemStyle: { color: c.selected ? '#5470c6' : '#bbb' } })) }],
    });
    chartIn(bandsChart).setOption({
      animation: false, title: chartTitle(t('sc_bands_chart')), tooltip: { trigger: 'axis' }, legend: { bottom: 0 },
      grid: { left: 45, right: 15, top: 30, bottom: 60 },
      xAxis: { type: 'category', data: sc.bands.map((b) => `${b.low}–${b.high}`), axisLabel: { rotate: 30 } },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', stack: 'n', name: t('sc_non_events'), data: sc.bands.map((b) => b.non_events) },
        { type: 'bar', stack: 'n', name: t('sc_events'), data: sc.bands.map((b) => b.events), itemStyle: { color: '#ee6666' } }],
    });
  });
  // The strongest kept characteristic is shown first.
  const first = binned.find((c) => c.selected) || binned[0];
  if (first) showColumn(first.name);
  return { section, showColumn };
}
