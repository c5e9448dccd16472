// The export bar: the workbook and printable report, and the recipe saved, loaded or edited and run.
import { t, pageError } from '../i18n.js';
import { el, downloadFile } from './helpers.js';
import { call } from './worker-client.js';

// All results as one workbook (written by the core from the last run), and
// the recipe saved or loaded as JSON.
export function exportBar(report, app) {
  const results = report.model || report.applied || report.segment || report.basket || report.plan;
  const xlsx = el('button', { type: 'button', 'data-testid': 'download-xlsx', disabled: !results }, t('download_xlsx'));
  xlsx.addEventListener('click', async () => {
    try {
      const bytes = await call({ type: 'workbook' });
      downloadFile(bytes, 'kequn-results.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    } catch (err) { app.showError(err); }
  });
  // The printable report, written by the core from the last run.
  const reportBtn = el('button', { type: 'button', 'data-testid': 'download-report', disabled: !results }, t('download_report'));
  reportBtn.addEventListener('click', async () => {
    try { downloadFile(await call({ type: 'report_html' }), 'kequn-report.html', 'text/html;charset=utf-8'); } catch (err) { app.showError(err); }
  });
  const openBtn = el('button', { type: 'button', 'data-testid': 'open-report', disabled: !results }, t('open_report'));
  openBtn.addEventListener('click', async () => {
    try {
      const html = await call({ type: 'report_html' });
      window.open(URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' })), '_blank');
    } catch (err) { app.showError(err); }
  });
  const save = el('button', { type: 'button', 'data-testid': 'save-recipe' }, t('save_recipe'));
  save.addEventListener('click', () => downloadFile(JSON.stringify(app.current.recipe, null, 2), 'recipe.json', 'application/json'));
  const input = el('input', { type: 'file', accept: '.json', hidden: true, 'data-testid': 'recipe-input' });
  const load = el('button', { type: 'button', 'data-testid': 'load-recipe' }, t('load_recipe'));
  load.addEventListener('click', () => input.click());
  input.addEventListener('change', async () => {
    const file = input.files[0];
    if (!file) return;
    let recipe;
    try { recipe = JSON.parse(await file.text()); } catch (e) {
      app.showError(pageError('recipe', 'recipe_not_json', { file: file.name, e: e.message }));
      return;
    }
    app.analyse(app.current.files, recipe, app.current.inputs);
  });
  // The recipe itself, shown and editable: run it as edited.
  const editor = el('textarea', { class: 'recipe-editor', 'data-testid': 'recipe-editor', rows: '16', spellcheck: false });
  editor.value = JSON.stringify(app.current.recipe, null, 2);
  const runEdited = el('button', { type: 'button', 'data-testid': 'run-recipe' }, t('run_recipe'));
  runEdited.addEventListener('click', () => {
    let recipe;
    try { recipe = JSON.parse(editor.value); } catch (e) {
      app.showError({ code: 'recipe', message_en: t('recipe_not_json', { file: 'recipe', e: e.message }), message_zh: t('recipe_not_json', { file: '配方', e: e.message }) });
      return;
    }
    app.analyse(app.current.files, recipe, app.current.inputs);
  });
  return el('div', { class: 'card export-bar', 'data-testid': 'export-bar' },
    el('div', { class: 'row' }, el('span', { class: 'meta' }, t('export_hint')), xlsx, reportBtn, openBtn, save, load, input),
    el('details', { 'data-testid': 'recipe-details' }, el('summary', {}, t('recipe_editable')), editor, el('div', { class: 'row' }, runEdited)));
}
