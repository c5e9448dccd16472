// The segment card: K selection, scatter, radar, sizes, profiles, surrogate rules, and the migration view.
import { t, getLang, pageError } from '../i18n.js';
import { el, pct, PALETTE, downloadFile, chartIn, chartTitle, headRow, clausesOf } from './helpers.js';
import { call } from './worker-client.js';

// Segments: K selection charts and picker, picture, sizes, radar, profiles,
// names and strategies, surrogate-tree rules, and the customer → segment CSV.
export function segmentCard(s, app) {
  const names = s.names.map((n) => n.name);
  const sel = s.selection;
  const kPick = el('select', { 'data-testid': 'k-pick' }, ...(sel ? sel.scores : [{ k: s.k }]).map((x) =>
    el('option', { value: String(x.k), selected: x.k === s.k }, `K = ${x.k}${sel && x.k === sel.suggested ? ` (${t('suggested')})` : ''}`)));
  kPick.addEventListener('input', () => {
    const recipe = { ...app.current.recipe, segment: { ...app.current.recipe.segment, k: Number(kPick.value) } };
    app.analyse(app.current.files, recipe, app.current.inputs);
  });
  // Another method re-runs the step over the K range.
  const methodPick = el('select', { 'data-testid': 'method-pick' }, ...['kmeans', 'kprototypes', 'gmm'].map((m) =>
    el('option', { value: m, selected: m === s.method }, t(`method_name_${m}`))));
  methodPick.addEventListener('input', () => {
    const { k, ...seg } = app.current.recipe.segment;
    app.analyse(app.current.files, { ...app.current.recipe, segment: { ...seg, method: methodPick.value } }, app.current.inputs);
  });
  const kChart = el('div', { class: 'roc', 'data-testid': 'k-chart' });
  const scatter = el('div', { class: 'roc', 'data-testid': 'segment-scatter' });
  const radar = el('div', { class: 'roc', 'data-testid': 'segment-radar' });
  const sizes = el('div', { class: 'roc', 'data-testid': 'segment-sizes' });
  const rulesBy = (k) => (s.surrogate ? s.surrogate.rules.filter((r) => r.class === k) : []);
  const rows = s.profiles.map((p, k) => el('tr', { 'data-segment': String(k) },
    el('td', {}, el('span', { class: 'swatch', style: `background:${PALETTE[k % 8]}` }), el('b', {}, names[k])),
    el('td', { class: 'num' }, `${p.size.toLocaleString()}（${pct(p.share)}）`),
    el('td', { class: 'summary' }, clausesOf(p.distinguishing) || '–'),
    el('td', { class: 'summary' }, s.names[k].strategy),
    el('td', { class: 'summary' }, s.names[k].service),
    el('td', { class: 'summary' }, clausesOf(rulesBy(k).slice(0, 2).map((r) => `${t('if')} ${r.conditions.join(` ${t('and')} `)}${getLang() === 'zh' ? `（${pct(r.purity)}）` : ` (${pct(r.purity)})`}`)) || '–')));
  const table = el('table', { class: 'columns segments', 'data-testid': 'segment-table' },
    headRow(['segment_name', 'size', 'distinguishing', 'strategy', 'service', 'surrogate_rules']),
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
    const seg = app.current.recipe.segment;
    if (!seg.id) { app.showError(pageError('recipe', 'next_needs_id')); return; }
    const inputs = app.current.inputs.filter((f) => f.name !== seg.next);
    app.analyse(app.current.files, { ...app.current.recipe, segment: { ...seg, next: file.name } }, [...inputs, file]);
  });
  const card = el('section', { class: 'card table-card', 'data-testid': 'segment-card' },
    el('h2', {}, t('segment_title', { k: s.k })),
    el('p', { class: 'meta', 'data-testid': 'segment-meta' }, t('segment_summary', { rows: s.rows.toLocaleString(), k: s.k, features: s.features.length,
      method: s.method === 'kprototypes' ? t('method_kprototypes', { gamma: s.gamma.toFixed(2) }) : t(s.method === 'gmm' ? 'method_gmm' : 'method_kmeans') })),
    s.soft ? el('p', { class: 'hint', 'data-testid': 'soft-meta' }, t('soft_meta', { confident: s.soft.confident.toLocaleString(), uncertain: s.soft.uncertain.toLocaleString() })) : null,
    s.reseeded ? el('p', { class: 'hint' }, t('reseeded', { n: s.reseeded })) : null,
    sel ? el('p', { class: 'hint', 'data-testid': 'k-reason' }, getLang() === 'zh' ? sel.reason_zh : sel.reason_en) : null,
    sel && sel.silhouette_rows < s.rows ? el('p', { class: 'hint' }, t('silhouette_sampled', { n: sel.silhouette_rows.toLocaleString() })) : null,
    sel && sel.scan_rows > 0 && sel.scan_rows < s.rows ? el('p', { class: 'hint', 'data-testid': 'scan-sampled' }, t('scan_sampled', { n: sel.scan_rows.toLocaleString(), rows: s.rows.toLocaleString(), k: s.k })) : null,
    el('div', { class: 'row' }, el('label', {}, `${t('method_pick')} `, methodPick), el('label', {}, `${t('k_pick')} `, kPick), dl, saveModel, nextBtn, nextInput),
    el('div', { class: 'two' }, kChart, scatter),
    el('div', { class: 'two' }, radar, sizes),
    s.surrogate ? el('p', { class: 'meta', 'data-testid': 'surrogate-meta' }, t('surrogate_summary', { acc: pct(s.surrogate.accuracy), leaves: s.surrogate.leaves })) : null,
    table,
    s.migration ? migrationView(s.migration) : null);
  requestAnimationFrame(() => {
    if (sel) {
      const cost = s.method === 'kprototypes' ? t('cost_axis') : 'WCSS';
      const kc = chartIn(kChart);
      kc.setOption({
        animation: false, title: chartTitle(t('k_chart_title')),
        tooltip: { trigger: 'axis' }, legend: { bottom: 0 }, grid: { left: 55, right: 45, top: 30, bottom: 45 },
        xAxis: { type: 'category', data: sel.scores.map((x) => x.k) },
        yAxis: [{ type: 'value', name: cost, scale: true }, { type: 'value', name: t('silhouette'), scale: true }],
        series: [{ type: 'line', name: cost, data: sel.scores.map((x) => +x.inertia.toFixed(1)) },
          { type: 'line', name: t('silhouette'), yAxisIndex: 1, data: sel.scores.map((x) => +x.silhouette.toFixed(4)) },
          { type: 'line', name: 'Gap', yAxisIndex: 1, data: sel.scores.map((x) => +x.gap.toFixed(4)) }],
      });
    }
    const sc = chartIn(scatter);
    sc.setOption({
      animation: false, title: chartTitle(t('scatter_title', { proj: s.scatter.projection, a: pct(s.scatter.explained[0]), b: pct(s.scatter.explained[1]) })),
      tooltip: {}, grid: { left: 40, right: 15, top: 30, bottom: 25 }, xAxis: { type: 'value', scale: true }, yAxis: { type: 'value', scale: true },
      series: names.map((n, k) => ({ type: 'scatter', name: n, symbolSize: 4, itemStyle: { color: PALETTE[k % 8] },
        data: s.scatter.points.filter((p) => p[2] === k).map((p) => [p[0], p[1]]) })),
    });
    // Radar on the numeric features' standardised differences (z, clipped to ±2).
    // The eight features that differ most between segments.
    const spread = s.profiles[0].numeric.map((_, j) => [j, Math.max(...s.profiles.map((p) => Math.abs(p.numeric[j].z)))]);
    const top = spread.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([j]) => j);
    const feats = top.map((j) => s.profiles[0].numeric[j].column);
    const rc = chartIn(radar);
    rc.setOption({
      animation: false, title: chartTitle(t('radar_title')), tooltip: {},
      radar: { indicator: feats.map((f) => ({ name: f, min: -2, max: 2 })), radius: '60%' },
      series: [{ type: 'radar', data: s.profiles.map((p, k) => ({ name: names[k], itemStyle: { color: PALETTE[k % 8] },
        value: top.map((j) => Math.max(-2, Math.min(2, +p.numeric[j].z.toFixed(2)))) })) }],
    });
    const zc = chartIn(sizes);
    zc.setOption({
      animation: false, title: chartTitle(t('sizes_title')), tooltip: {},
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
