// The overview card (分层分析): KPIs, distributions, lifecycle funnel, correlation heatmap.
import { t } from '../i18n.js';
import { el, money, pct, PALETTE, chartIn, chartTitle, kpiRow } from './helpers.js';

// The overview dashboard (分层分析): KPIs, distributions, lifecycle funnel,
// behaviour-vs-assets correlation heatmap.
export function overviewCard(o, label) {
  const kpis = [[t('kpi_customers'), o.customers.toLocaleString('en-US')]];
  if (o.total_assets != null) kpis.push([t('kpi_total_assets'), money(o.total_assets)], [t('kpi_mean_assets'), money(o.mean_assets)], [t('kpi_median_assets'), money(o.median_assets)]);
  if (label) kpis.push([t('kpi_label_rate'), pct(label.positives / Math.max(1, label.rows))]);
  const charts = o.distributions.map((d) => [d, el('div', { class: 'roc', 'data-testid': `dist-${d.column}` })]);
  const funnel = o.funnel ? el('div', { class: 'roc', 'data-testid': 'funnel' }) : null;
  const heat = o.correlation.length ? el('div', { class: 'roc', 'data-testid': 'correlation' }) : null;
  const card = el('section', { class: 'card table-card', 'data-testid': 'overview-card' },
    el('h2', {}, t('overview_title')),
    kpiRow(kpis, { 'data-testid': 'overview-kpis' }),
    el('div', { class: 'two' }, ...charts.map(([, c]) => c), funnel, heat));
  requestAnimationFrame(() => {
    for (const [d, div] of charts) {
      chartIn(div).setOption({
        animation: false, title: chartTitle(t('dist_title', { col: d.column })),
        tooltip: {}, grid: { left: 50, right: 15, top: 30, bottom: 40 },
        xAxis: { type: 'category', data: d.levels, axisLabel: { interval: 0, rotate: d.levels.length > 6 ? 30 : 0 } },
        yAxis: { type: 'value' }, series: [{ type: 'bar', data: d.counts, itemStyle: { color: PALETTE[0] } }],
      });
    }
    if (funnel) {
      chartIn(funnel).setOption({
        animation: false, title: chartTitle(t('funnel_title', { col: o.funnel.column })), tooltip: {},
        series: [{ type: 'funnel', sort: 'none', top: 30, bottom: 10, minSize: '8%', label: { formatter: '{b}: {c}' },
          data: o.funnel.levels.map((l, i) => ({ name: l, value: o.funnel.counts[i] })) }],
      });
    }
    if (heat) {
      const data = o.correlation.flatMap((row, r) => row.map((v, c) => [c, r, v == null ? '-' : +v.toFixed(2)]));
      chartIn(heat).setOption({
        animation: false, title: chartTitle(t('corr_title')), tooltip: {},
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
