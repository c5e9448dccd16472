// Streamed scoring at scale (issue 21): `kequn score --all` over N rows of
// the wealth customer file (default 20,000,000; `kequn synth customers`),
// beside DuckDB running the model's exported SQL on the same file. Prints
// rows/s and peak memory of each; writes bench-results/stream.json.
//   node tests/bench/stream.mjs [ROWS]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, statSync, rmSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const ROWS = Number(process.argv[2] || 20_000_000);
const K = path.join(ROOT, 'target/release/kequn');
const DIR = path.join(ROOT, 'bench-data', 'stream');
mkdirSync(DIR, { recursive: true });
execFileSync('bash', [path.join(ROOT, 'scripts/venv-sql.sh')], { stdio: 'inherit' });
const PY = path.join(ROOT, 'target/venv-sql/bin/python');

const data = path.join(DIR, `customers_${ROWS}.csv`);
if (!existsSync(data)) {
  console.log(`== writing ${ROWS} rows to ${data} ==`);
  execFileSync(K, ['synth', 'customers', '--rows', String(ROWS), '--seed', '20', '--out', data], { stdio: 'inherit' });
}
const train = path.join(DIR, 'train_100000.csv');
if (!existsSync(train)) execFileSync(K, ['synth', 'customers', '--rows', '100000', '--seed', '1', '--out', train]);
const DUCK_ROWS = Number(process.env.DUCK_ROWS || 2_000_000);
const results = { rows: ROWS, bytes: statSync(data).size, kinds: [] };
// DuckDB runs the trees' CASE at a few thousand rows/s: give it at most
// DUCK_ROWS rows of the file for the gradient boosting (said in the output).
for (const [kind, reasons] of [['logistic', 0], ['logistic', 3], ['gbdt', 0]]) {
  const recipe = path.join(DIR, `recipe_${kind}.json`);
  writeFileSync(recipe, JSON.stringify({
    data_dir: DIR, inputs: [{ file: 'train_100000.csv' }],
    label: { rule: 'asset_level == "100万+"' }, drop: ['stat_month'],
    features: { exclude: ['user_id', 'name'], log1p: ['stock_value', 'cash_value', 'monthly_trade_amount'], dates: 'days_before', reference_date: '2024-10-31' },
    model: { kind, test_share: 0.3, seed: 42 },
  }));
  const model = path.join(DIR, `model_${kind}.json`);
  if (!existsSync(model)) execFileSync(K, ['run', recipe, '--save-model', model], { stdio: 'ignore' });
  const out = path.join(DIR, `scores_${kind}.csv`);
  const t0 = process.hrtime.bigint();
  const run = spawnSync(K, ['score', '--model', model, '--id', 'user_id', '--all', '--reasons', String(reasons), '--out', out, data], { encoding: 'utf8' });
  const ours = Number(process.hrtime.bigint() - t0) / 1e9;
  if (run.status !== 0) throw new Error(run.stderr);
  const summary = run.stderr.trim().split('\n').pop();
  const peak = Number((summary.match(/peak memory (\d+) MiB/) || [])[1]);
  const sql = path.join(DIR, `score_${kind}.sql`);
  writeFileSync(sql, execFileSync(K, ['export-sql', '--model', model, '--dialect', 'duckdb', '--table', 'customers', '--id', 'user_id', '--reasons', String(reasons)]));
  const duckOut = path.join(DIR, `duckdb_${kind}.csv`);
  const duckRows = kind === 'gbdt' ? Math.min(ROWS, DUCK_ROWS) : ROWS;
  let duckData = data;
  if (duckRows < ROWS) {
    duckData = path.join(DIR, `customers_head_${duckRows}.csv`);
    if (!existsSync(duckData)) execFileSync('bash', ['-c', `head -n ${duckRows + 1} '${data}' > '${duckData}'`]);
  }
  const duck = JSON.parse(execFileSync(PY, [path.join(ROOT, 'tests/bench/stream_duckdb.py'), sql, duckData, duckOut], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  rmSync(duckOut, { force: true });
  results.kinds.push({ kind, reasons, kequn: { seconds: ours, rows_per_s: ROWS / ours, peak_mib: peak, summary }, duckdb: { ...duck, rows_per_s: duck.rows / duck.seconds } });
  rmSync(out, { force: true });
  console.log(`${kind}${reasons ? ' with 3 reasons' : ''}: kequn ${ours.toFixed(1)} s (${Math.round(ROWS / ours)} rows/s, peak ${peak} MiB) · DuckDB on ${duck.rows} rows ${duck.seconds.toFixed(1)} s (${Math.round(duck.rows / duck.seconds)} rows/s, peak ${Math.round(duck.peak_mib)} MiB) · time per row kequn ÷ DuckDB ${((ours / ROWS) / (duck.seconds / duck.rows)).toFixed(2)}×`);
}
mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench-results', 'stream.json'), JSON.stringify(results, null, 1));
