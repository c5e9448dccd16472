// The run history (the last 10 runs of this page, each restorable) and
// sessions: one JSON file with the recipe, the column choices and the
// results (the fitted models are in them), the data only when the analyst
// ticks it. Nothing goes to browser storage: a shared office PC keeps no
// customer data.
import { t, pageError } from '../i18n.js';
import { $, el, downloadFile } from './helpers.js';

const KEEP = 10;
const runs = [];

// The figures a run is remembered by.
function figures(report) {
  const f = [];
  const tables = report.tables || [];
  if (tables.length) f.push(t('hist_rows', { n: tables[0].load.rows.toLocaleString(), file: tables.map((x) => x.load.file).join(' + ') }));
  if (report.model) f.push(`AUC ${report.model.metrics.auc.toFixed(3)}${report.model.cv_auc != null ? ` · CV ${report.model.cv_auc.toFixed(3)}` : ''}`);
  if (report.segment) f.push(t('hist_segments', { k: report.segment.k }));
  if (report.basket) f.push(t('hist_rules', { n: report.basket.overall.rules.length }));
  if (report.plan) f.push(t('hist_plans'));
  // A step run from a form takes the unchanged model over instead of fitting it again.
  if ((report.reused || []).includes('model')) f.push(t('hist_model_reused'));
  return f.join(' · ');
}

export function record(recipe, report) {
  runs.unshift({ at: new Date(), recipe, report });
  runs.length = Math.min(runs.length, KEEP);
}

export function renderHistory(app) {
  const card = $('history-card');
  card.hidden = runs.length === 0 && !app.current;
  const rows = runs.map((r, i) => {
    const restore = el('button', { type: 'button', class: 'small', 'data-testid': 'restore-run', disabled: i === 0 }, t('restore'));
    restore.addEventListener('click', () => app.restore(r.recipe, r.report));
    return el('tr', { 'data-run': String(i), 'data-reused': JSON.stringify(r.report.reused || []) },
      el('td', {}, r.at.toLocaleTimeString(undefined, { hour12: false })),
      el('td', {}, r.recipe.name || ''),
      el('td', { class: 'summary' }, figures(r.report)),
      el('td', {}, i === 0 ? t('shown_now') : restore));
  });
  $('history').replaceChildren(el('table', { class: 'columns', 'data-testid': 'history-table' },
    el('thead', {}, el('tr', {}, ...['hist_time', 'hist_recipe', 'hist_figures', ''].map((k) => el('th', {}, k ? t(k) : '')))),
    el('tbody', {}, ...rows)));
}

const toBase64 = async (file) => {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromBase64 = (name, b64) => {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new File([bytes], name);
};

// The session as one JSON file; the data files only when ticked.
export async function saveSession(state, withData) {
  const session = {
    kequn_session: 1,
    saved: new Date().toISOString(),
    recipe: state.recipe,
    rule: state.rule,
    id: state.id,
    report: state.report,
    files: state.inputs.map((f) => f.name),
  };
  if (withData) session.data = await Promise.all(state.inputs.map(async (f) => ({ name: f.name, base64: await toBase64(f) })));
  downloadFile(JSON.stringify(session), 'kequn-session.json', 'application/json');
}

// Reads a session file: its state, and the data files when it holds them.
// Throws an error object the page shows when the file is not a session.
export async function readSession(file) {
  let s;
  try { s = JSON.parse(await file.text()); } catch (e) { s = null; }
  if (!s || s.kequn_session !== 1 || !s.recipe || !s.report) {
    throw pageError('session', 'not_session', { file: file.name }, { file: file.name });
  }
  const data = s.data ? s.data.map((d) => fromBase64(d.name, d.base64)) : null;
  return { ...s, data };
}
