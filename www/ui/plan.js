// The plan card: plans per customer and per segment, contact feedback, and the editable templates.
import { t } from '../i18n.js';
import { el, pct, money, downloadFile, headRow, clausesOf } from './helpers.js';
import { call } from './worker-client.js';

// Plans: per customer (paged, CSV, printable), per segment, the contacted
// list's conversion, and the templates they came from, editable.
export function planCard(p, app) {
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
      el('td', { class: 'wrap' }, clausesOf(c.drivers)), el('td', { class: 'wrap talk' }, c.talking_points.join(' ')))));
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
      headRow(['priority', 'customers_n', 'expected_kept', 'expected_value']),
      el('tbody', {}, ...p.summary.map((x) => el('tr', {}, el('td', {}, x.priority), el('td', { class: 'num' }, String(x.customers)),
        el('td', { class: 'num' }, x.expected_retained.toFixed(1)), el('td', { class: 'num' }, money(x.expected_value)))))),
    el('div', { class: 'row' }, dl, print, prev, next, meta),
    el('table', { class: 'columns plans', 'data-testid': 'plans-table' },
      headRow(['rank', 'customer', 'priority', 'probability', 'value_tier', 'channel', 'timing', 'drivers', 'talking_points']),
      body)) : null;
  if (p.customers.length) show();
  const segments = p.segments.length ? el('div', { 'data-testid': 'segment-plans' },
    el('h3', {}, t('segment_plans_title')),
    el('table', { class: 'columns', 'data-testid': 'segment-plans-table' },
      headRow(['segment_name', 'size', 'priority', 'channel', 'channel_mix', 'talking_points', 'expected_responders']),
      el('tbody', {}, ...p.segments.map((s) => el('tr', {}, el('td', {}, s.name), el('td', { class: 'num' }, `${s.size.toLocaleString()}（${pct(s.share)}）`),
        el('td', {}, s.priority), el('td', {}, s.channel), el('td', { class: 'summary' }, clausesOf(s.channel_mix.map(([c, n]) => `${c} ${n}`))),
        el('td', { class: 'wrap talk' }, s.talking_points.join(' ')), el('td', { class: 'num' }, s.expected_responders.toFixed(0))))))) : null;
  const f = p.feedback;
  const feedback = f ? el('div', { 'data-testid': 'feedback' },
    el('h3', {}, t('feedback_title', { n: f.contacted, rate: pct(f.rate), file: f.file })),
    el('table', { class: 'columns' },
      headRow(['group', 'contacted', 'converted', 'rate']),
      el('tbody', {}, ...[...f.by_channel, ...f.by_segment].map((g) => el('tr', {}, el('td', {}, g.group),
        el('td', { class: 'num' }, String(g.contacted)), el('td', { class: 'num' }, String(g.converted)), el('td', { class: 'num' }, pct(g.rate))))))) : null;
  // The templates, editable: run again with the edited set as an input file.
  const editor = el('textarea', { class: 'recipe-editor', 'data-testid': 'templates-editor', rows: '14', spellcheck: false });
  const named = app.current && app.current.recipe.plan && app.current.recipe.plan.templates;
  const own = named && app.current.inputs.find((x) => x.name === named);
  (own ? own.text() : call({ type: 'default_templates', segments: !p.customers.length })).then((text) => { editor.value = text; });
  const apply = el('button', { type: 'button', 'data-testid': 'apply-templates' }, t('apply_templates'));
  apply.addEventListener('click', () => {
    const name = 'plan_templates.json';
    const recipe = JSON.parse(JSON.stringify(app.current.recipe));
    recipe.plan = { ...(recipe.plan || {}), templates: name };
    const file = new File([editor.value], name, { type: 'application/json' });
    app.analyse(app.current.files, recipe, [...app.current.inputs.filter((x) => x.name !== name), file]);
  });
  // A contacted list (id, date, result[, channel]): conversion and the cool-off.
  const fbInput = el('input', { type: 'file', accept: '.csv,.txt,.tsv', hidden: true, 'data-testid': 'feedback-input' });
  const fbBtn = el('button', { type: 'button', 'data-testid': 'load-feedback' }, t('load_feedback'));
  fbBtn.addEventListener('click', () => fbInput.click());
  fbInput.addEventListener('change', () => {
    const file = fbInput.files[0];
    if (!file || !app.current) return;
    const recipe = JSON.parse(JSON.stringify(app.current.recipe));
    const old = recipe.plan && recipe.plan.feedback && recipe.plan.feedback.file;
    recipe.plan = { ...(recipe.plan || {}), feedback: { file: file.name } };
    app.analyse(app.current.files, recipe, [...app.current.inputs.filter((x) => x.name !== file.name && x.name !== old), file]);
  });
  return el('section', { class: 'card table-card', 'data-testid': 'plan-card' },
    el('h2', {}, t('plan_title')),
    customers, segments, feedback,
    el('div', { class: 'row' }, fbBtn, fbInput, el('span', { class: 'hint' }, t('feedback_hint'))),
    el('details', { 'data-testid': 'templates-details' }, el('summary', {}, t('edit_templates')), editor, el('div', { class: 'row' }, apply)));
}
