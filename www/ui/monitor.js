// Monitoring: the applied-model card with its drift (PSI) view, and the alerts card.
import { t, getLang } from '../i18n.js';
import { el, pct, downloadFile, headRow } from './helpers.js';
import { call } from './worker-client.js';
import { reasonText } from './model.js';

// Candidates from a saved model applied to these files.
export function appliedCard(a) {
  const scored = a.candidates.some((c) => c.score != null);
  const rows = a.candidates.slice(0, 20).map((c, i) => el('tr', {}, el('td', { class: 'num' }, String(i + 1)), el('td', {}, c.id),
    ...(scored ? [el('td', { class: 'num' }, String(c.score))] : []),
    el('td', { class: 'num' }, pct(c.probability)), el('td', { class: 'summary' }, reasonText(c))));
  const dl = el('button', { type: 'button', 'data-testid': 'download-applied' }, t('download_csv'));
  dl.addEventListener('click', async () => downloadFile(await call({ type: 'candidates_csv', candidates: a.candidates }), 'candidates.csv', 'text/csv;charset=utf-8'));
  return el('section', { class: 'card table-card', 'data-testid': 'applied-card' },
    el('h2', {}, `${t('applied_title')}: ${a.label_rule}`),
    el('p', { class: 'meta', 'data-testid': 'applied-meta' }, t('applied_summary', { rows: a.rows.toLocaleString(), n: a.candidates.length, excluded: a.candidates_excluded })),
    a.monitor ? monitorView(a.monitor) : null,
    dl,
    el('table', { class: 'columns', 'data-testid': 'applied-candidates' },
      headRow(['rank', 'customer', ...(scored ? ['score'] : []), 'probability', 'reasons']), el('tbody', {}, ...rows)));
}

// This month against the model's month: PSI of the score and each column.
function monitorView(m) {
  const rate = (x) => (x == null ? '–' : pct(x));
  const rows = [m.score, ...m.features].slice(0, 12).map((p) => el('tr', { class: `level-${p.level}` },
    el('td', {}, p.name), el('td', { class: 'num' }, p.psi.toFixed(4)), el('td', {}, t(`level_${p.level}`))));
  return el('div', { 'data-testid': 'monitor' },
    el('p', { class: 'meta', 'data-testid': 'monitor-meta' }, t('monitor_title', { psi: m.score.psi.toFixed(3), level: t(`level_${m.score.level}`),
      before: rate(m.label_rate_before), now: rate(m.label_rate_now) })),
    el('table', { class: 'columns', 'data-testid': 'monitor-table' },
      el('thead', {}, el('tr', {}, el('th', {}, t('measure')), el('th', {}, 'PSI'), el('th', {}, t('level')))), el('tbody', {}, ...rows)));
}

export function alertsCard(alerts) {
  return el('section', { class: 'card alerts', 'data-testid': 'alerts', role: 'alert' },
    el('h2', {}, t('alerts_title', { n: alerts.length })),
    el('ul', {}, ...alerts.map((a) => el('li', { 'data-kind': a.kind, 'data-subject': a.subject }, getLang() === 'zh' ? a.message_zh : a.message))));
}
