// The basket card: association rules (overall and per segment), holdings, cross-sell offers, product targets.
import { t } from '../i18n.js';
import { el, pct, num3, downloadFile, chartIn, chartTitle, headRow } from './helpers.js';
import { call } from './worker-client.js';

// Association rules (overall and per segment), product holdings, cross-sell
// offers and per-product target lists.
export function basketCard(b, app) {
  const sets = [b.overall, ...b.segments];
  const PAGE = 25;
  let page = 0;
  const setPick = el('select', { 'data-testid': 'rule-set', 'aria-label': t('rule_set') }, ...sets.map((s, i) =>
    el('option', { value: String(i) }, s.segment == null ? t('all_customers', { n: s.customers.toLocaleString() })
      : `${s.segment}（${s.customers.toLocaleString()}，${t('specific_n', { n: s.specific.length })}）`)));
  const search = el('input', { type: 'search', placeholder: t('rule_search'), 'aria-label': t('rule_search'), 'data-testid': 'rule-search' });
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
    headRow(['customer', 'product', 'confidence', 'lift', 'rule']),
    el('tbody', {}, ...offers.slice(0, 20).map((o) => el('tr', {}, el('td', {}, o.id), el('td', {}, o.product),
      el('td', { class: 'num' }, pct(o.confidence)), el('td', { class: 'num' }, num3(o.lift)), el('td', { class: 'summary' }, o.rule)))));
  const csvButton = (label, testid, payload, name) => {
    const btn = el('button', { type: 'button', 'data-testid': testid }, label);
    btn.addEventListener('click', async () => {
      try { downloadFile(await call(payload()), name, 'text/csv;charset=utf-8'); } catch (err) { app.showError(err); }
    });
    return btn;
  };
  const targetPick = el('select', { 'data-testid': 'target-product', 'aria-label': t('target_product') }, ...b.product_targets.map((p, i) => el('option', { value: String(i) }, `${p.product}（${p.customers.length}）`)));
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
    // The page holds the first offers of a big run; the worker has them all.
    el('h3', {}, t('cross_sell_title', { n: Math.max(b.cross_sell_total || 0, b.cross_sell.length).toLocaleString() })),
    csvButton(t('download_csv'), 'download-cross-sell', () => ({ type: 'last_offers_csv' }), 'cross_sell.csv'),
    offerTable(b.cross_sell, 'cross-sell'),
    el('h3', {}, t('targets_title')),
    el('div', { class: 'row' }, targetPick,
      csvButton(t('download_csv'), 'download-targets', () => ({ type: 'offers_csv', offers: b.product_targets[Number(targetPick.value)].customers }), 'product_targets.csv')),
    targetBox);
  requestAnimationFrame(() => {
    const c = chartIn(chart);
    c.setOption({
      animation: false, title: chartTitle(t('holdings_title')),
      tooltip: {}, grid: { left: 90, right: 30, top: 30, bottom: 25 },
      xAxis: { type: 'value', max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
      yAxis: { type: 'category', data: b.products.map((p) => p.product), inverse: true },
      series: [{ type: 'bar', data: b.products.map((p) => +p.share.toFixed(4)), label: { show: true, position: 'right', formatter: (p) => pct(p.value) } }],
    });
  });
  return card;
}
