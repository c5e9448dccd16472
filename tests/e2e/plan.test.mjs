// End-to-end: the securities scenario's plans, the printable report, the
// monthly re-run with its PSI alerts, editable templates, and segment plans —
// each checked against the CLI on the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { servedPage, shot, loadSample, ROOT, OUT } from './harness.mjs';

const BIN = path.join(ROOT, 'target/release/kequn');
const RECIPE = path.join(ROOT, 'data/recipes/securities_retention.json');
const s = servedPage();

const cli = (...args) => JSON.parse(execFileSync(BIN, ['run', '--json', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }));

// Loads a scenario and waits for this run's card: an earlier run's card of
// the same kind must go first, or the wait would end on it.
const loadScenario = (name, waitFor) => loadSample(s.page, name, s.page.getByTestId(waitFor));

test('securities: weekly rows aggregated, a plan per top-risk customer as the CLI makes it, CSV and printable report', async () => {
  const want = cli(RECIPE);
  await loadScenario('securities_retention', 'plan-card');
  // The model on aggregated features: AUC as the CLI's.
  const auc = await s.page.locator('[data-testid=model-card] [data-kpi=AUC] b').textContent();
  assert.equal(auc, want.model.metrics.auc.toFixed(3));
  const plans = want.plan.customers;
  assert.equal(plans.length, 50);
  const kept = want.plan.summary.reduce((a, x) => a + x.expected_retained, 0);
  assert.match(await s.page.getByTestId('plan-summary').textContent(),
    new RegExp(`为风险最高的 50 名客户生成方案（响应率假设 30.0%）：预计挽留 ${kept.toFixed(1)} 名客户`));
  const ids = await s.page.locator('[data-testid=plans-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  assert.deepEqual(ids, plans.slice(0, 20).map((p) => p.id));
  const first = s.page.locator('[data-testid=plans-table] tbody tr').first();
  const cells = await first.locator('td').allTextContents();
  assert.equal(cells[2], plans[0].priority);
  assert.equal(cells[5], plans[0].channel);
  assert.equal(cells[7], plans[0].drivers.join('；'));
  assert.equal(cells[8], plans[0].talking_points.join(' '));
  assert.doesNotMatch(cells[8], /[{}]/);
  await s.page.getByTestId('plans-next').click();
  assert.match(await s.page.getByTestId('plans-meta').textContent(), /第 2 \/ 3 页，共 50 条方案/);
  assert.equal(await s.page.locator('[data-testid=plans-table] tbody tr').first().getAttribute('data-id'), plans[20].id);
  await s.page.getByTestId('plan-card').scrollIntoViewIfNeeded();
  await shot(s.page, 'securities-plans');

  const [dl] = await Promise.all([s.page.waitForEvent('download'), s.page.getByTestId('download-plans').click()]);
  const lines = readFileSync(await dl.path(), 'utf8').split('\r\n').filter(Boolean);
  assert.ok(lines[0].startsWith('\ufeff排名 rank,客户 id,优先级 priority'), lines[0]);
  const csvText = readFileSync(await dl.path(), 'utf8');
  assert.equal(csvText.match(/\r\n(\d+),S\d{8},P\d/g).length, 50);
  assert.doesNotMatch(csvText, /\{[^}]*\}/);

  // The report: sections and figures of this run, written by the core.
  const [rep] = await Promise.all([s.page.waitForEvent('download'), s.page.getByTestId('download-report').click()]);
  assert.equal(rep.suggestedFilename(), 'kequn-report.html');
  const html = readFileSync(await rep.path(), 'utf8');
  for (const id of ['data', 'model', 'plans', 'appendix']) assert.match(html, new RegExp(`<section id="${id}">`));
  assert.match(html, new RegExp(`<div class="v">${want.model.metrics.auc.toFixed(3)}</div>`));
  assert.match(html, /按“客户号”汇总 18000 行明细为 1500 位客户/);
  assert.match(html, new RegExp(`为流失风险最高的 50 位客户制定了方案（响应率假设 30%）：预计挽留 ${kept.toFixed(1)} 位客户`));
  assert.match(html, new RegExp(plans[0].id));
  assert.match(html, /kequn run recipe\.json --out results\//);
  assert.doesNotMatch(html, /(src|href)="https?:/);
  const saved = path.join(OUT, 'securities-report.html');
  writeFileSync(saved, html);
  // Shown as the analyst would print it, in English too.
  const view = await s.context.newPage();
  await view.setContent(html);
  await view.screenshot({ path: path.join(OUT, 'securities-report.png'), fullPage: true });
  await view.getByRole('button', { name: '中文 / English' }).click();
  assert.ok(await view.getByText('Retention and marketing plans').isVisible());
  assert.ok(!(await view.getByText('挽留与营销方案').isVisible()));
  await view.close();
});

// Next month: the generator with another seed; "shifted" halves every weekly login count.
function nextMonth() {
  const dir = path.join(OUT, 'next-month');
  execFileSync(BIN, ['synth', 'scenario', 'securities', '--rows', '1500', '--seed', '99', '--out', path.join(dir, 'same')]);
  const shifted = path.join(dir, 'shifted');
  mkdirSync(shifted, { recursive: true });
  copyFileSync(path.join(dir, 'same/securities_customers.csv'), path.join(shifted, 'securities_customers.csv'));
  const rows = readFileSync(path.join(dir, 'same/securities_weekly.csv'), 'utf8').trim().split('\n');
  const k = rows[0].split(',').indexOf('登录次数');
  const out = [rows[0], ...rows.slice(1).map((l) => { const f = l.split(','); f[k] = String(Math.round(Number(f[k]) * 0.5)); return f.join(','); })];
  writeFileSync(path.join(shifted, 'securities_weekly.csv'), out.join('\n') + '\n');
  return dir;
}

test('the monthly re-run applies the saved model to next month\'s files; a shifted month raises PSI alerts as the CLI does', async () => {
  // The scenario from the previous test is loaded: save its model.
  const [m] = await Promise.all([s.page.waitForEvent('download'), s.page.getByTestId('save-model').click()]);
  const modelPath = path.join(OUT, 'next-month-model.json');
  mkdirSync(path.dirname(modelPath), { recursive: true });
  writeFileSync(modelPath, readFileSync(await m.path()));
  assert.ok(JSON.parse(readFileSync(modelPath, 'utf8')).baseline.features.length > 20);
  const dir = nextMonth();
  const month = (which) => ['securities_customers.csv', 'securities_weekly.csv'].map((f) => path.join(dir, which, f));

  await s.page.getByTestId('model-input').setInputFiles([modelPath, ...month('same')]);
  await s.page.getByTestId('monitor').waitFor();
  const same = cli(RECIPE, '--model', modelPath, ...month('same'));
  assert.equal(same.alerts.length, 0);
  assert.equal(await s.page.getByTestId('alerts').count(), 0);
  assert.match(await s.page.getByTestId('monitor-meta').textContent(),
    new RegExp(`评分 PSI ${same.applied.monitor.score.psi.toFixed(3)}（稳定）`));
  const ids = await s.page.locator('[data-testid=applied-candidates] tbody tr td:nth-child(2)').allTextContents();
  assert.deepEqual(ids, same.applied.candidates.slice(0, 20).map((c) => c.id));
  assert.equal(await s.page.locator('[data-testid=plans-table] tbody tr').count(), 20);

  await s.page.getByTestId('model-input').setInputFiles([modelPath, ...month('shifted')]);
  await s.page.getByTestId('alerts').waitFor();
  const shifted = cli(RECIPE, '--model', modelPath, ...month('shifted'));
  const subjects = await s.page.locator('[data-testid=alerts] li').evaluateAll((lis) => lis.map((li) => li.dataset.subject));
  assert.deepEqual(subjects, shifted.alerts.map((a) => a.subject));
  assert.ok(subjects.includes('登录次数_mean'), subjects.join());
  assert.match(await s.page.getByTestId('alerts').textContent(), /列“登录次数_mean”分布发生偏移（PSI \d\.\d{3} > 0\.25）/);
  const top = s.page.locator('[data-testid=monitor-table] tbody tr.level-alert').first();
  assert.match(await top.textContent(), /登录次数_mean/);
  await shot(s.page, 'securities-monthly-alerts');
});

test('a contacted-list feedback file gives conversion per channel and delays recently contacted customers', async () => {
  const want = cli(RECIPE).plan.customers;
  const fb = path.join(OUT, 'contacted.csv');
  writeFileSync(fb, `客户号,联系日期,结果,渠道\n${want[1].id},2024-09-20,成功,电话外呼\n${want[2].id},2024-09-25,失败,电话外呼\n${want[3].id},2024-10-30,失败,短信\n`);
  await loadScenario('securities_retention', 'plan-card');
  await s.page.getByTestId('feedback-input').setInputFiles(fb);
  await s.page.getByTestId('feedback').waitFor();
  assert.match(await s.page.getByTestId('feedback').textContent(), /触达反馈：3 人次，转化率 33.3%（contacted.csv）/);
  const rows = await s.page.locator('[data-testid=feedback] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(rows.find((r) => r[0] === '电话外呼'), ['电话外呼', '2', '1', '50.0%']);
  assert.deepEqual(rows.find((r) => r[0] === '短信'), ['短信', '1', '0', '0.0%']);
  // Contacted on 2024-10-30 (the latest contact, so "today"): 30 days of cool-off.
  assert.match(await s.page.getByTestId('plan-summary').textContent(), /1 名客户处于营销冷静期/);
  await shot(s.page, 'securities-feedback');
});

test('plan templates are editable in the page; a placeholder that is no field is named and the page stays usable', async () => {
  await loadScenario('securities_retention', 'plan-card');
  await s.page.getByTestId('templates-details').locator('summary').click();
  const editor = s.page.getByTestId('templates-editor');
  await s.page.waitForFunction(() => document.querySelector('[data-testid=templates-editor]')?.value.includes('talking_points'));
  const text = await editor.inputValue();
  await editor.fill(text.replace('如有任何问题，可随时通过{channel}与我们联系', '专属热线：{channel}，{营业部}'));
  await s.page.getByTestId('apply-templates').click();
  await s.page.locator('[data-testid=plans-table] tbody tr').first().filter({ hasText: '专属热线：' }).waitFor();
  const first = await s.page.locator('[data-testid=plans-table] tbody tr td.talk').first().textContent();
  assert.match(first, /专属热线：(网点\/客户经理|电话外呼|APP 推送|短信)，\S+营业部/);

  await s.page.getByTestId('templates-details').locator('summary').click();
  const edited = await s.page.getByTestId('templates-editor');
  await s.page.waitForFunction(() => document.querySelector('[data-testid=templates-editor]')?.value.includes('专属热线'));
  await edited.fill((await edited.inputValue()).replace('我是您在{营业部}', '我是您在{客户经理姓名}'));
  await s.page.getByTestId('apply-templates').click();
  const err = s.page.getByTestId('error');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /方案模板 plan_templates\.json 的 talking_points\[0\]：占位符 \{客户经理姓名\}/);
  await shot(s.page, 'template-error');
  // Still usable: the scenario loads again, its first page of 20 plans shown.
  await loadScenario('securities_retention', 'plan-card');
  await s.page.locator('[data-testid=plans-table] tbody tr').nth(19).waitFor({ timeout: 60000 });
  assert.equal(await s.page.locator('[data-testid=plans-table] tbody tr').count(), 20);
});

test('the segmentation scenario gets a plan per segment, as the CLI makes it', async () => {
  const want = cli(path.join(ROOT, 'data/recipes/segmentation.json')).plan.segments;
  await loadScenario('segmentation', 'segment-plans');
  const rows = await s.page.locator('[data-testid=segment-plans-table] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(rows.map((r) => r[0]), want.map((p) => p.name));
  assert.deepEqual(rows.map((r) => r[3]), want.map((p) => p.channel));
  assert.deepEqual(rows.map((r) => r[5]), want.map((p) => p.talking_points.join(' ')));
  await s.page.getByTestId('segment-plans').scrollIntoViewIfNeeded();
  await shot(s.page, 'segmentation-plans');
  await s.page.getByTestId('sample-choice').selectOption('');
});
