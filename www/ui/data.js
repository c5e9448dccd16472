// The data card: one card per input file and one for the join (column table, type picker), and the column chart.
import { t, getLang } from '../i18n.js';
import { $, el, fmt, chartIn } from './helpers.js';

const KINDS = ['numeric', 'categorical', 'date', 'id', 'text'];
let chart = null;

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
function kindCell(c, tableName, app) {
  if (tableName === 'join') return el('span', { class: `kind ${c.kind}`, 'data-kind': c.kind }, t(c.kind));
  const sel = el('select', { class: `kind ${c.kind}`, 'data-kind': c.kind, 'data-testid': 'kind-select', title: t('change_type') },
    ...KINDS.map((k) => { const o = el('option', { value: k }, t(k)); o.selected = k === c.kind; return o; }));
  sel.addEventListener('click', (e) => e.stopPropagation());
  sel.addEventListener('change', () => {
    app.setType(tableName, c.name, sel.value);
  });
  return sel;
}

// The column's role in the analysis: a feature, the customer id, a source
// of the label rule, or excluded (the recipe's `drop`). A probable leak the
// last model found is marked in its row.
const ROLES = ['feature', 'id', 'label', 'exclude'];
function roleCell(c, app) {
  const sel = el('select', { class: 'role', 'data-testid': 'role', 'aria-label': `${t('col_role')}: ${c.name}` },
    ...ROLES.map((r) => el('option', { value: r }, t(`role_${r}`))));
  sel.value = app.roleOf(c.name, c.kind);
  sel.dataset.role = sel.value;
  sel.addEventListener('click', (e) => e.stopPropagation());
  sel.addEventListener('keydown', (e) => e.stopPropagation());
  sel.addEventListener('change', () => app.setRole(c.name, sel.value));
  const leak = app.leaks().find((w) => w.column === c.name);
  if (!leak) return sel;
  return el('span', { class: 'role-cell' }, sel,
    el('span', { class: 'leak-mark', 'data-testid': 'leak-mark', title: getLang() === 'zh' ? leak.message_zh : leak.message }, ` ⚠ ${t('probable_leak')}`));
}

// The name people use for the column in segment descriptions, plans and
// reasons (the recipe's `labels`); blank: the column's own name.
function labelCell(c, app) {
  const input = el('input', { type: 'text', class: 'narrow display-name', 'data-testid': 'display-name', value: app.labelOf(c.name),
    placeholder: c.name, 'aria-label': `${t('col_label')}: ${c.name}` });
  input.addEventListener('click', (e) => e.stopPropagation());
  input.addEventListener('keydown', (e) => e.stopPropagation());
  input.addEventListener('change', () => app.setLabel(c.name, input.value));
  return input;
}

function columnTable(cols, tableName, app) {
  const head = el('tr', {}, ...['col_name', 'col_type', 'col_missing', 'col_distinct', 'col_summary', 'col_hist', 'col_role', 'col_label'].map((k) => el('th', {}, t(k))));
  const rows = cols.map((c) => {
    // Rows are focusable: Tab to a column, Enter or Space shows its chart.
    const tr = el('tr', { 'data-column': c.name, tabindex: '0' },
      el('td', { class: 'name' }, c.name),
      el('td', {}, kindCell(c, tableName, app)),
      el('td', { class: 'num' }, `${(c.missing_share * 100).toFixed(1)}%`),
      el('td', { class: 'num' }, String(c.distinct)),
      el('td', { class: 'summary' }, summary(c)),
      el('td', {}, sparkline(c)),
      el('td', {}, roleCell(c, app)),
      el('td', {}, labelCell(c, app)));
    tr.addEventListener('click', () => showChart(c, tableName));
    tr.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target === tr) { e.preventDefault(); showChart(c, tableName); }
    });
    return tr;
  });
  return el('table', { class: 'columns' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

// Roles for many columns at once: every date column, or every name that
// contains the search text, excluded; or all back to features.
function bulkRoles(cols, app) {
  const dates = cols.filter((c) => c.kind === 'date').map((c) => c.name);
  const search = el('input', { type: 'search', class: 'narrow', 'data-testid': 'exclude-search', 'aria-label': t('exclude_matching'), placeholder: t('exclude_search_hint') });
  const byName = el('button', { type: 'button', 'data-testid': 'exclude-matching' }, t('exclude_matching'));
  const matching = () => {
    const q = search.value.trim().toLowerCase();
    return q ? cols.filter((c) => c.name.toLowerCase().includes(q)).map((c) => c.name) : [];
  };
  byName.addEventListener('click', () => app.setExcluded(matching(), true));
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') byName.click(); });
  const allDates = el('button', { type: 'button', 'data-testid': 'exclude-dates', disabled: !dates.length }, t('exclude_dates', { n: dates.length }));
  allDates.addEventListener('click', () => app.setExcluded(dates, true));
  const reset = el('button', { type: 'button', 'data-testid': 'roles-reset' }, t('roles_reset'));
  reset.addEventListener('click', () => app.setExcluded(cols.filter((c) => app.roleOf(c.name, c.kind) === 'exclude').map((c) => c.name), false));
  return el('div', { class: 'row bulk-roles' }, allDates, search, byName, reset);
}

// An input file: how it was read, its warnings, its columns.
export function tableCard(tr, app) {
  const l = tr.load;
  return el('section', { class: 'card table-card', 'data-testid': 'table-card', 'data-file': l.file },
    el('h2', {}, l.file),
    el('p', { class: 'meta', 'data-testid': 'table-meta' },
      `${l.rows.toLocaleString()} ${t('rows')} × ${l.columns} ${t('columns')} · ${t('file_encoding')} ${l.encoding} · ${t('file_delimiter')} “${l.delimiter}” · ${t('file_header')} ${l.header ? t('yes') : t('no')} · ${t(l.header ? 'header_at' : 'first_row_at', { line: l.header_line })}`),
    l.sheets && l.sheets.length > 1 ? sheetPicker(l, app) : null,
    ...((getLang() === 'zh' && l.warnings_zh) || l.warnings).map((w) => el('p', { class: 'warning' }, `${t('warning')}: ${w}`)),
    el('p', { class: 'hint' }, t('click_for_chart')),
    bulkRoles(tr.columns, app),
    columnTable(tr.columns, l.file, app));
}

// A workbook with several sheets: which one to read (the file is read again).
function sheetPicker(l, app) {
  const select = el('select', { 'data-testid': 'sheet-picker' }, ...l.sheets.map((s) => el('option', { value: s }, s)));
  select.value = l.sheet;
  select.addEventListener('change', () => app.setSheet(l.file, select.value));
  return el('p', { class: 'row' }, el('label', {}, `${t('sheet')} `, select));
}

// The joined table: how the two files matched, its warnings, its columns (types not editable).
export function joinCard(join, app) {
  const r = join.report;
  return el('section', { class: 'card table-card', 'data-testid': 'join-card' },
    el('h2', {}, `${t('join_title')}: ${r.left} + ${r.right} (${r.key})`),
    el('p', { class: 'meta', 'data-testid': 'join-meta' }, t('join_summary', {
      rows: r.rows, ml: r.matched_left, ul: r.unmatched_left, ur: r.unmatched_right,
      dl: r.duplicate_keys_left, dr: r.duplicate_keys_right })),
    ...r.warnings.map((w) => el('p', { class: 'warning' }, `${t('warning')}: ${w}`)),
    columnTable(join.columns, 'join', app));
}

function showChart(c, tableName) {
  $('chart-card').hidden = false;
  $('chart-title').textContent = `${tableName} · ${c.name}`;
  if (!chart) chart = chartIn($('chart'));
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
