// UI helpers shared by the cards: element builder, formatters, palette, downloads, table heads, KPI tiles, charts.
import { t, getLang } from '../i18n.js';

// ECharts (1.1 MB of script, parsed on the page's thread) loads once the
// page is ready (worker-client's `call` starts it when the worker first
// answers): beside the page's start it held the worker's first answer back
// 100-300 ms. No chart is drawn before a result comes back from the worker,
// and results wait for it.
let echarts = null;
let charts = null;
export const chartsReady = () => charts ??= import('../vendor/echarts.esm.min.mjs').then((m) => { echarts = m; });

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
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

// Column names as people read them: the recipe's `labels` map, set by the
// page for each report it shows.
let displayNames = {};
export const setDisplayNames = (labels) => { displayNames = labels || {}; };
export const shown = (column) => displayNames[column] || column;

// Brings `target` to the top of the view and moves the keyboard focus to
// `focus` (made focusable by script only, tabindex -1, when it is not).
export function scrollAndFocus(target, focus = target) {
  if (!focus.hasAttribute('tabindex')) focus.setAttribute('tabindex', '-1');
  target.scrollIntoView({ block: 'start' });
  focus.focus({ preventScroll: true });
}

export const fmt = (x) => x == null ? '–' : Math.abs(x) >= 1e4 ? Math.round(x).toLocaleString() : String(Math.round(x * 100) / 100);
// Lists in the page's language: 、 and ； in Chinese, ", " and "; " in English.
export const listOf = (items) => items.join(getLang() === 'zh' ? '、' : ', ');
export const clausesOf = (items) => items.join(getLang() === 'zh' ? '；' : '; ');
export const pct = (x) => `${(x * 100).toFixed(1)}%`;
export const num3 = (x) => (x === 'inf' || x == null ? '∞' : Number(x).toFixed(3));

// Large amounts: 万/亿 in Chinese, thousands separators in English.
export function money(x) {
  if (x == null) return '–';
  if (getLang() === 'zh') {
    if (Math.abs(x) >= 1e8) return `${(x / 1e8).toLocaleString('zh-CN', { maximumFractionDigits: 2 })}亿`;
    if (Math.abs(x) >= 1e4) return `${(x / 1e4).toLocaleString('zh-CN', { maximumFractionDigits: 1 })}万`;
  }
  return Math.round(x).toLocaleString('en-US');
}

export const PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4'];

export function downloadFile(text, name, type) {
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a); a.click(); a.remove();
}

// A table's head row: the columns' names in the page's language.
export const headRow = (keys) => el('thead', {}, el('tr', {}, ...keys.map((k) => el('th', {}, t(k)))));

// Key figures as tiles: [label, value] pairs.
export const kpiRow = (kpis, attrs = {}) => el('div', { class: 'kpis', ...attrs },
  ...kpis.map(([k, v]) => el('div', { class: 'kpi', 'data-kpi': k }, el('span', { class: 'k' }, k), el('b', {}, v))));

// An ECharts chart in `div`, drawn on a canvas (so it can be saved as PNG); the chart's title.
export const chartIn = (div) => echarts.init(div, null, { renderer: 'canvas' });
export const chartTitle = (text) => ({ text, left: 'center', textStyle: { fontSize: 13 } });

// Each chart can be saved as a PNG image (drawn by ECharts at twice the size).
export function addPngButton(chart) {
  // A chart of a kept card has its button already.
  if (chart.parentElement && chart.parentElement.classList.contains('chart-box')) return;
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
