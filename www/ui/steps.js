// The guided flow: the step bar (each step's state, a click jumps to it)
// and the forms that add the segmentation and product-rule steps to the
// analyst's recipe on any loaded file.
import { t, pageError } from '../i18n.js';
import { $, el, scrollAndFocus } from './helpers.js';
import { call } from './worker-client.js';

// Each step: where the bar jumps (its result card when shown, else its form).
export const STEPS = [
  { key: 'data', result: '[data-testid=table-card]', form: '#data-section' },
  { key: 'label', result: null, form: '#label-card' },
  { key: 'model', result: '[data-testid=model-card]', form: '#label-card' },
  { key: 'segment', result: '[data-testid=segment-card]', form: '#segment-step' },
  { key: 'basket', result: '[data-testid=basket-card]', form: '#basket-step' },
  { key: 'plan', result: '[data-testid=plan-card]', form: '#plan-step' },
  { key: 'export', result: '[data-testid=export-bar]', form: null },
];

// A step's state from the last report, the recipe it ran and the current
// choices (`live`: the typed rule, the excluded columns): done, stale (an
// earlier choice changed since it ran), running, or not started.
export function stepStates(report, ran, live, running) {
  const s = {};
  const same = (a, b) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
  const dropChanged = !ran || !same([...(ran.drop || [])].sort(), [...(live.drop || [])].sort());
  // Display names are words in segment descriptions and plans.
  const labelsChanged = !!ran && JSON.stringify(ran.labels || {}) !== JSON.stringify(live.labels || {});
  s.data = report && report.tables.length ? 'done' : 'todo';
  s.label = report && report.label ? (ran.label && ran.label.rule === live.rule ? 'done' : 'stale') : 'todo';
  s.model = report && (report.model || report.applied) ? (dropChanged || s.label === 'stale' ? 'stale' : 'done') : 'todo';
  s.segment = report && report.segment ? (dropChanged || labelsChanged ? 'stale' : 'done') : 'todo';
  s.basket = report && report.basket ? 'done' : 'todo';
  s.plan = report && report.plan ? (s.model === 'stale' || labelsChanged ? 'stale' : 'done') : 'todo';
  s.export = report && (report.model || report.applied || report.segment || report.basket || report.plan) ? 'done' : 'todo';
  if (running) s[running] = 'running';
  return s;
}

export function renderStepBar(states) {
  markStale(states);
  const bar = $('steps');
  bar.setAttribute('aria-label', t('steps_label'));
  bar.replaceChildren(...STEPS.map((step, i) => {
    const state = states[step.key];
    const b = el('button', { type: 'button', class: `step ${state}`, 'data-step': step.key, 'data-state': state,
      'aria-label': `${i + 1}. ${t(`step_${step.key}`)}: ${t(`state_${state}`)}` },
    el('span', { class: 'n' }, state === 'done' ? '✓' : state === 'stale' ? '!' : String(i + 1)), ` ${t(`step_${step.key}`)}`);
    b.addEventListener('click', () => goTo(step.key));
    return b;
  }));
}

// A stale step's card says so under its heading (its figures are of the
// choices it ran with), until the step runs again.
function markStale(states) {
  for (const step of STEPS) {
    if (!step.result || step.key === 'data' || step.key === 'export') continue;
    const card = document.querySelector(step.result);
    if (!card) continue;
    const stale = states[step.key] === 'stale';
    card.classList.toggle('stale', stale);
    let note = card.querySelector(':scope > .stale-note');
    if (stale && !note) {
      note = el('p', { class: 'warning stale-note', 'data-testid': 'stale-note' }, t('stale_note'));
      const h = card.querySelector(':scope > h2, :scope > h3');
      if (h) h.after(note); else card.prepend(note);
    } else if (!stale && note) note.remove();
  }
}

// Scrolls to a step's result (or its form) and moves the focus there.
export function goTo(key) {
  const step = STEPS.find((s) => s.key === key);
  const target = (step.result && document.querySelector(step.result)) || (step.form && document.querySelector(step.form));
  if (!target || target.hidden) return;
  scrollAndFocus(target, target.querySelector('h2, h3') || target);
}

// The columns a form offers: the joined table's when there is one, else the first file's.
function columnsOf(report) {
  if (!report) return [];
  if (report.join) return report.join.columns;
  return report.tables.length ? report.tables[0].columns : [];
}

// A list of ticked columns, with "all" and "none".
function columnPicker(testid, cols, ticked) {
  const boxes = cols.map((c) => {
    const box = el('input', { type: 'checkbox', value: c.name, 'data-testid': `${testid}-column` });
    box.checked = ticked(c);
    return box;
  });
  const all = el('button', { type: 'button', class: 'small' }, t('pick_all'));
  const none = el('button', { type: 'button', class: 'small' }, t('pick_none'));
  const set = (v) => { for (const b of boxes) b.checked = v; };
  all.addEventListener('click', () => set(true));
  none.addEventListener('click', () => set(false));
  const list = el('div', { class: 'pick-cols', 'data-testid': testid, role: 'group', 'aria-label': t(`${testid}_label`) },
    ...boxes.map((b) => el('label', { class: 'pick-col' }, b, ` ${b.value}`)));
  list.chosen = () => boxes.filter((b) => b.checked).map((b) => b.value);
  return { list, buttons: el('span', {}, all, none) };
}

const labelled = (key, control) => el('label', {}, el('span', {}, t(key)), ' ', control);

// The segmentation form: method, K (blank: chosen over the range), the
// columns (by default the features: never the label's source, the id or an
// excluded column).
export function segmentForm(report, recipe, app) {
  const box = $('segment-form');
  const seg = recipe.segment || {};
  const cols = columnsOf(report).filter((c) => c.kind === 'numeric' || c.kind === 'categorical');
  const method = el('select', { 'data-testid': 'seg-method' }, ...['kmeans', 'kprototypes', 'gmm'].map((m) => el('option', { value: m }, t(`method_name_${m}`))));
  method.value = seg.method || 'kmeans';
  const kInput = (testid, value, more = {}) => el('input', { type: 'number', min: '2', max: '20', step: '1', class: 'narrow', 'data-testid': testid, value, ...more });
  const k = kInput('seg-k', seg.k ? String(seg.k) : '', { placeholder: t('auto') });
  const range = seg.k_range || [2, 8];
  const from = kInput('seg-k-from', String(range[0]));
  const to = kInput('seg-k-to', String(range[1]));
  const picker = columnPicker('seg-columns', cols, (c) => (seg.columns ? seg.columns.includes(c.name) : app.roleOf(c.name, c.kind) === 'feature'));
  const run = el('button', { type: 'button', class: 'primary', 'data-testid': 'run-segment' }, t('run_segment'));
  run.addEventListener('click', () => {
    const columns = picker.list.chosen();
    if (!columns.length) { app.showError(pageError('recipe', 'seg_no_columns'), 'segment'); return; }
    const id = $('label-id').value.trim();
    const spec = { method: method.value, columns, seed: 42 };
    if (k.value) spec.k = Number(k.value); else spec.k_range = [Number(from.value) || 2, Number(to.value) || 8];
    if (id) spec.id = id;
    if (seg.naming) spec.naming = seg.naming;
    let rules;
    try { rules = naming.rules(); } catch (err) { app.showError(err, 'segment'); return; }
    if (rules) spec.naming_rules = rules;
    app.runStep('segment', { ...app.current.recipe, segment: spec });
  });
  const naming = namingEditor(seg.naming_rules);
  box.replaceChildren(
    el('div', { class: 'row' }, labelled('seg_method', method), labelled('seg_k', k), labelled('seg_k_range', el('span', {}, from, ' – ', to))),
    el('p', { class: 'hint' }, t('seg_columns_hint'), ' ', picker.buttons), picker.list,
    naming.details,
    el('div', { class: 'row' }, run));
  $('segment-step').hidden = !cols.length;
}

// The product-rule form: holding columns (two values: yes/no, 0/1), the
// thresholds, and rules per segment when there are segments.
export function basketForm(report, recipe, app) {
  const box = $('basket-form');
  const b = recipe.basket || {};
  const cols = columnsOf(report).filter((c) => c.distinct <= 2 && c.kind !== 'id' && c.kind !== 'date');
  const picker = columnPicker('basket-columns', cols, (c) => (b.flags || []).includes(c.name));
  const support = el('input', { type: 'number', min: '0.001', max: '1', step: '0.01', class: 'narrow', 'data-testid': 'basket-support', value: String(b.min_support ?? 0.05) });
  const confidence = el('input', { type: 'number', min: '0', max: '1', step: '0.05', class: 'narrow', 'data-testid': 'basket-confidence', value: String(b.min_confidence ?? 0.3) });
  const perSegment = el('input', { type: 'checkbox', 'data-testid': 'basket-per-segment' });
  perSegment.checked = !!b.per_segment;
  const run = el('button', { type: 'button', class: 'primary', 'data-testid': 'run-basket' }, t('run_basket'));
  // Or a basket file: one transaction a line, items separated by commas.
  const fileInput = el('input', { type: 'file', accept: '.csv,.txt,.basket', 'data-testid': 'basket-file', 'aria-label': t('basket_file') });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files[0];
    fileInput.value = '';
    if (!file) return;
    const recipeNow = app.current.recipe;
    const spec = { min_support: Number(support.value) || 0.05, min_confidence: Number(confidence.value) || 0.3, file: file.name };
    const inputs = app.current.inputs.filter((f) => f.name !== file.name && f.name !== b.file);
    app.runStep('basket', { ...recipeNow, basket: spec }, [...inputs, file]);
  });
  run.addEventListener('click', () => {
    const flags = picker.list.chosen();
    if (flags.length < 2) { app.showError(pageError('recipe', 'basket_two_columns'), 'basket'); return; }
    const recipeNow = app.current.recipe;
    // Per segment only when the recipe segments the customers.
    const spec = { ...b, flags, min_support: Number(support.value) || 0.05, min_confidence: Number(confidence.value) || 0.3,
      per_segment: perSegment.checked && !!recipeNow.segment };
    const id = $('label-id').value.trim();
    if (id) spec.id = id;
    app.runStep('basket', { ...recipeNow, basket: spec });
  });
  box.replaceChildren(
    el('p', { class: 'hint' }, t('basket_columns_hint'), ' ', picker.buttons), picker.list,
    el('div', { class: 'row' }, labelled('basket_support', support), labelled('basket_confidence', confidence),
      el('label', {}, perSegment, ' ', t('basket_per_segment'))),
    el('div', { class: 'row' }, run, el('label', { class: 'file-btn' }, el('span', {}, t('basket_file')), fileInput),
      b.file ? el('span', { class: 'hint', 'data-testid': 'basket-file-name' }, b.file) : null));
  $('basket-step').hidden = !cols.length;
}

// The segment-naming rules as a form: the word lists that pick each group's
// columns, and the rules in order (name, conditions, strategy, service).
// Starts from the recipe's own rules, else the shipped ones; `rules()` is
// what the run uses (null: unchanged, the recipe keeps none).
const DIRECTIONS = { high: 'high', low: 'low', 高: 'high', 低: 'low' };
function namingEditor(fromRecipe) {
  const details = el('details', { 'data-testid': 'naming-details' }, el('summary', {}, t('naming_rules')));
  let base = fromRecipe || null, edited = !!fromRecipe, groupsBox = null, rulesBody = null;
  const whenText = (when) => when.map((c) => `${c.group} ${t(c.direction === 'high' ? 'naming_high' : 'naming_low')} ${c.min_z}`).join(', ');
  const ruleRow = (r) => {
    const input = (field, value, size) => {
      const i = el('input', { type: 'text', value: value || '', size: String(size), 'data-field': field, 'aria-label': t(`naming_${field}`) });
      i.addEventListener('input', () => { edited = true; });
      return i;
    };
    const remove = el('button', { type: 'button', class: 'small', 'data-testid': 'naming-remove' }, t('naming_remove'));
    const tr = el('tr', { 'data-testid': 'naming-rule', 'data-rule': r.name },
      el('td', {}, input('name', r.name, 10)), el('td', {}, input('name_en', r.name_en, 10)), el('td', {}, input('when', whenText(r.when), 22)),
      el('td', {}, input('strategy', r.strategy, 28)), el('td', {}, input('service', r.service, 16)), el('td', {}, remove));
    remove.addEventListener('click', () => { edited = true; tr.remove(); });
    return tr;
  };
  const fill = (rules) => {
    base = rules;
    groupsBox = el('div', { class: 'naming-groups' }, ...Object.entries(rules.groups).map(([g, words]) => {
      const i = el('input', { type: 'text', value: words.join(', '), size: '48', 'data-group': g, 'data-testid': 'naming-group', 'aria-label': `${t('naming_group')} ${g}` });
      i.addEventListener('input', () => { edited = true; });
      return el('label', { class: 'pick-col' }, el('code', {}, g), ' ', i);
    }));
    rulesBody = el('tbody', {}, ...rules.rules.map(ruleRow));
    const add = el('button', { type: 'button', 'data-testid': 'naming-add' }, t('naming_add'));
    add.addEventListener('click', () => { edited = true; rulesBody.append(ruleRow({ name: '', when: [], strategy: '', service: '' })); });
    const reset = el('button', { type: 'button', 'data-testid': 'naming-reset' }, t('naming_reset'));
    reset.addEventListener('click', () => call({ type: 'default_naming' }).then((text) => { edited = false; fill(JSON.parse(text)); }, () => {}));
    details.replaceChildren(details.firstChild,
      el('p', { class: 'hint' }, t('naming_hint')),
      el('h4', {}, t('naming_groups')), groupsBox,
      el('table', { class: 'columns naming' }, el('thead', {}, el('tr', {}, ...['naming_name', 'naming_name_en', 'naming_when', 'naming_strategy', 'naming_service', 'naming_remove'].map((k) => el('th', {}, t(k))))), rulesBody),
      el('div', { class: 'row' }, add, reset));
  };
  details.addEventListener('toggle', () => {
    if (!details.open || groupsBox) return;
    if (base) fill(base);
    else call({ type: 'default_naming' }).then((text) => fill(JSON.parse(text)), () => {});
  });
  const rules = () => {
    if (!edited || !base || !groupsBox) return edited ? base : null;
    const groups = {};
    for (const i of groupsBox.querySelectorAll('[data-group]')) groups[i.dataset.group] = i.value.split(/[,，]/).map((w) => w.trim()).filter(Boolean);
    const list = [...rulesBody.querySelectorAll('tr')].map((tr) => {
      const v = (f) => tr.querySelector(`[data-field=${f}]`).value.trim();
      const when = v('when').split(/[,，;；]/).map((c) => c.trim()).filter(Boolean).map((c) => {
        const [group, dir, z] = c.split(/\s+/);
        const direction = DIRECTIONS[dir] || DIRECTIONS[(dir || '').toLowerCase()];
        if (!groups[group] || !direction || !(Number(z) >= 0)) {
          throw pageError('recipe', 'naming_when_bad', { rule: v('name') || '?', when: c, groups: Object.keys(groups).join(', ') });
        }
        return { group, direction, min_z: Number(z) };
      });
      return { name: v('name'), ...(v('name_en') ? { name_en: v('name_en') } : {}), when, strategy: v('strategy'), service: v('service') };
    }).filter((r) => r.name);
    return { about: base.about || '', groups, rules: list, fallback: base.fallback };
  };
  return { details, rules };
}

// The plan form: the plan templates (the shipped set for what the run has —
// customer plans after a model, segment plans after a segmentation), edited
// here for one's own columns (the value column, the channel rules, the
// talking points' placeholders) and run as the plan step.
export function planForm(report, recipe, app) {
  const box = $('plan-form');
  const ready = !!(report && (report.model || report.applied || report.segment));
  $('plan-step').hidden = !ready;
  if (!ready) { box.replaceChildren(); return; }
  const name = 'plan_templates.json';
  const editor = el('textarea', { class: 'recipe-editor', 'data-testid': 'plan-templates-form', rows: '12', spellcheck: false, 'aria-label': t('plan_templates') });
  const own = recipe.plan && recipe.plan.templates && app.current.inputs.find((f) => f.name === recipe.plan.templates);
  const shipped = () => (own ? own.text() : call({ type: 'default_templates', segments: !(report.model || report.applied) }));
  // Read when first opened (or run), not on every redraw of the form.
  const details = el('details', { 'data-testid': 'plan-templates-details' }, el('summary', {}, t('plan_templates')), editor);
  details.addEventListener('toggle', () => {
    if (!details.open || editor.value) return;
    shipped().then((text) => { editor.value = text; }, () => {});
  });
  const run = el('button', { type: 'button', class: 'primary', 'data-testid': 'run-plan' }, t('run_plan'));
  run.addEventListener('click', async () => {
    // Not opened: the templates as they are.
    if (!editor.value) {
      try { editor.value = await shipped(); } catch (err) { app.showError(err, 'plan'); return; }
    }
    try { JSON.parse(editor.value); } catch (e) {
      app.showError(pageError('recipe', 'recipe_not_json', { file: name, e: e.message }), 'plan');
      return;
    }
    const recipeNow = app.current.recipe;
    const file = new File([editor.value], name, { type: 'application/json' });
    const inputs = app.current.inputs.filter((f) => f.name !== name);
    app.runStep('plan', { ...recipeNow, plan: { ...(recipeNow.plan || {}), templates: name } }, [...inputs, file]);
  });
  box.replaceChildren(details, el('div', { class: 'row' }, run));
}
