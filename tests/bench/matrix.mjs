// The shared part of the matrix benchmarks (gbdt.mjs, binning.mjs): the
// venv with the peer's packages, and a run in the page's worker on the
// x.f64 / y.u8 the peer wrote, served from www/bench-data/<name>.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, linkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, ROOT } from '../e2e/harness.mjs';

/** The benchmark venv's python, with `packages` installed (pip names; `check` the import line). */
export function peerPython(check, packages) {
  const venv = path.join(ROOT, 'bench-data', 'venv');
  const py = path.join(venv, 'bin', 'python');
  if (!existsSync(py)) execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  if (spawnSync(py, ['-c', check]).status !== 0) {
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', ...packages], { stdio: 'inherit' });
  }
  return py;
}

/** `bench.html?<name>=bench-data/<name>&<query>` on the matrix in `dir`: what the worker measured. */
export async function inWorker(dir, name, query) {
  const served = path.join(ROOT, 'www', 'bench-data', name);
  rmSync(served, { recursive: true, force: true });
  mkdirSync(served, { recursive: true });
  for (const f of ['x.f64', 'y.u8']) linkSync(path.join(dir, f), path.join(served, f));
  const server = await startServer();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}bench.html?${name}=bench-data/${name}&${query}`);
    await page.waitForFunction(() => window.__bench, null, { timeout: 3600000 });
    const r = await page.evaluate(() => window.__bench);
    if (r.error) throw new Error(r.error);
    return r;
  } finally {
    await browser.close();
    server.stop();
    rmSync(served, { recursive: true, force: true });
  }
}
