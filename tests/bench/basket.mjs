// Apriori benchmark (not a test): Groceries at 0.001 support, and 1,000,000
// retail customers x 8 products mined overall and per segment; kequn native
// (CLI) and wasm in headless Chromium beside mlxtend on the same data, with
// the rule counts side by side so that no speed comes from doing less.
//   node tests/bench/basket.mjs [retail_rows]     (make bench runs it)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, linkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, ROOT, SHARED } from '../e2e/harness.mjs';

const rows = Number(process.argv[2] || 1000000);
const bin = path.join(ROOT, 'target/release/kequn');
const dir = path.join(ROOT, 'bench-data', `basket_${rows}`);
mkdirSync(dir, { recursive: true });
if (!existsSync(path.join(dir, 'retail.del'))) {
  execFileSync(bin, ['synth', 'scenario', 'retail', '--rows', String(rows), '--seed', '4', '--out', dir], { stdio: 'inherit' });
}
const groceries = path.join(dir, 'groceries.csv');
rmSync(groceries, { force: true });
linkSync(path.join(SHARED, 'groceries.csv'), groceries);

const products = [['存款', ['存款余额']], ['保险', ['保险余额']], ['理财', ['理财余额']], ['基金和积利宝', ['基金余额', '积利宝余额']],
  ['积存金', ['积存金余额']], ['国债', ['国债余额']], ['高净值产品', ['高净值产品余额']], ['贷款和信用卡', ['贷款余额', '信用卡分期余额']]]
  .map(([name, columns]) => ({ name, columns }));
const cases = [
  { name: 'groceries 0.001/0.5', recipe: 'groceries.json', py: ['groceries', groceries, '0.001', '0.5'],
    json: { name: 'groceries', inputs: [], basket: { file: 'groceries.csv', min_support: 0.001, min_confidence: 0.5 } } },
  { name: `retail ${rows} x 8, overall + 5 segments`, recipe: 'retail.json',
    py: ['retail', path.join(dir, 'retail.del'), path.join(dir, 'retail_columns.txt'), '0.01', '0.3', '风险评级'],
    json: { name: 'retail', inputs: [{ file: 'retail.del', columns_file: 'retail_columns.txt', options: { header: false } }],
      basket: { products, min_support: 0.01, min_confidence: 0.3, by: '风险评级', id: '客户号' } } },
];
for (const c of cases) writeFileSync(path.join(dir, c.recipe), JSON.stringify(c.json));

const stage = (stages, pred) => stages.filter(([s]) => pred(s)).reduce((a, [, t]) => a + t, 0);
const mining = (s) => s === 'apriori' || s.startsWith('rules: ');

const served = path.join(ROOT, 'www', 'bench-data');
rmSync(served, { recursive: true, force: true });
mkdirSync(served, { recursive: true });
for (const f of ['groceries.csv', 'retail.del', 'retail_columns.txt', 'groceries.json', 'retail.json']) linkSync(path.join(dir, f), path.join(served, f));
const server = await startServer();
const browser = await launch();
const table = [];
try {
  for (const c of cases) {
    console.log(`== ${c.name} ==`);
    const native = spawnSync(bin, ['run', path.join(dir, c.recipe), '--timings'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (native.status !== 0) throw new Error(native.stderr);
    const ns = [...native.stderr.matchAll(/timing: (.+): ([\d.]+) s/g)].map((m) => [m[1], Number(m[2]) * 1000]);
    const nativeRules = Number(native.stdout.match(/(\d+) rules/)[1]);
    const py = spawnSync('python3', [path.join(ROOT, 'tests/bench/basket_mlxtend.py'), ...c.py], { encoding: 'utf8' });
    const m = py.status === 0 ? JSON.parse(py.stdout.trim().split('\n').pop()) : null;
    if (!m) console.log(`  mlxtend skipped (pip install mlxtend pandas): ${py.stderr.trim().split('\n').pop()}`);
    const page = await browser.newPage();
    await page.goto(`${server.url}bench.html?recipe=bench-data/${c.recipe}`);
    await page.waitForFunction(() => window.__bench, null, { timeout: 1800000 });
    const b = await page.evaluate(() => window.__bench);
    await page.close();
    if (b.error) throw new Error(b.error);
    const row = {
      case: c.name,
      native_mine_ms: stage(ns, mining), wasm_mine_ms: stage(b.stages, mining),
      mlxtend_mine_ms: m ? (m.mine_s + (m.segments_s || 0)) * 1000 : null,
      native_total_ms: stage(ns, () => true), wasm_total_ms: b.total_ms,
      rules: { native: nativeRules, wasm: b.rules, mlxtend: m && m.rules, segments_wasm: b.segment_rules, segments_mlxtend: m && m.segment_rules },
    };
    for (const [s, ms] of ns) console.log(`  native ${s}: ${ms.toFixed(0)} ms`);
    for (const [s, ms] of b.stages) console.log(`  wasm ${s}: ${ms.toFixed(0)} ms`);
    if (m) console.log(`  mlxtend: ${JSON.stringify(m)}`);
    const ratio = (x) => (row.mlxtend_mine_ms ? `${(x / row.mlxtend_mine_ms).toFixed(3)}x` : '-');
    console.log(`  mining (itemsets + rules${c.json.basket.by ? ', overall + segments' : ''}): native ${row.native_mine_ms.toFixed(0)} ms (${ratio(row.native_mine_ms)} mlxtend), wasm ${row.wasm_mine_ms.toFixed(0)} ms (${ratio(row.wasm_mine_ms)}), mlxtend ${row.mlxtend_mine_ms ? row.mlxtend_mine_ms.toFixed(0) : '-'} ms`);
    console.log(`  rules: ${JSON.stringify(row.rules)}`);
    table.push(row);
  }
} finally {
  await browser.close();
  server.stop();
  rmSync(served, { recursive: true, force: true });
}
