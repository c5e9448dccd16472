// Parse benchmark (not a test): kequn's loader natively and in headless
// Chromium, and npm papaparse in the same browser run, on one generated
// customer CSV. Prints MB/s for each and the ratios. Usage:
//   node tests/bench/parse.mjs [rows]        (make bench runs it)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, linkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, ROOT } from '../e2e/harness.mjs';

const rows = Number(process.argv[2] || 1000000);
const bin = path.join(ROOT, 'target/release/kequn');
const csv = path.join(ROOT, 'bench-data', `customers_${rows}.csv`);
if (!existsSync(csv)) execFileSync(bin, ['synth', 'customers', '--rows', String(rows), '--seed', '42', '--out', csv], { stdio: 'inherit' });

console.log('== native ==');
const native = execFileSync(bin, ['bench-parse', '--rows', String(rows)], { cwd: ROOT }).toString();
process.stdout.write(native);
const nativeMBs = Number(native.match(/native best \(load\+profile, as in the browser run\): ([\d.]+) MB\/s/)[1]);

const served = path.join(ROOT, 'www', 'bench-data');
mkdirSync(served, { recursive: true });
const link = path.join(served, path.basename(csv));
rmSync(link, { force: true });
linkSync(csv, link);

const server = await startServer();
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}bench.html?file=bench-data/${path.basename(csv)}&repeat=3`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 600000 });
  const b = await page.evaluate(() => window.__bench);
  if (b.error) throw new Error(b.error);
  const mbs = (ms) => b.mb / (ms / 1000);
  console.log(`== headless Chromium, ${b.mb.toFixed(1)} MB, ${b.rows} rows (papaparse: ${b.papaRows}) ==`);
  console.log(`kequn wasm  decode+split+type+profile: ${b.kequn_ms.toFixed(0)} ms = ${mbs(b.kequn_ms).toFixed(1)} MB/s`);
  console.log(`papaparse   strings (after TextDecoder ${b.decode_ms.toFixed(0)} ms): ${b.papa_strings_ms.toFixed(0)} ms = ${mbs(b.papa_strings_ms + b.decode_ms).toFixed(1)} MB/s incl. decode`);
  console.log(`papaparse   arrays, no header: ${b.papa_arrays_ms.toFixed(0)} ms = ${mbs(b.papa_arrays_ms + b.decode_ms).toFixed(1)} MB/s incl. decode`);
  console.log(`papaparse   dynamicTyping: ${b.papa_typed_ms.toFixed(0)} ms = ${mbs(b.papa_typed_ms + b.decode_ms).toFixed(1)} MB/s incl. decode`);
  console.log(`kequn wasm linear memory after the runs: ${(b.wasm_memory / 1048576).toFixed(0)} MiB`);
  console.log(`ratio kequn wasm / papaparse fastest (arrays) (speed): ${((b.papa_arrays_ms + b.decode_ms) / b.kequn_ms).toFixed(2)}x`);
  console.log(`ratio kequn wasm / papaparse typed (speed): ${((b.papa_typed_ms + b.decode_ms) / b.kequn_ms).toFixed(2)}x`);
  console.log(`ratio kequn wasm / kequn native (speed): ${(mbs(b.kequn_ms) / nativeMBs).toFixed(2)}x`);
} finally {
  await browser.close();
  server.stop();
  rmSync(link, { force: true });
}
