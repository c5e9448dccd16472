// Writes dist/kequn.html: the whole page in one file that works opened from
// file:// with no server and no network. The app (with ECharts) and the
// worker are bundled by esbuild; the worker runs from a Blob URL; the wasm
// core, its office build and the sample and scenario files ride along gzipped in base64 and
// are unpacked in the browser (DecompressionStream). The CSP allows only the
// page's own inline scripts (by hash), blob: workers and wasm.
//   node scripts/single.mjs        (make page runs it after the wasm build)
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const www = (p) => path.join(ROOT, 'www', p);
const packed = (bytes) => gzipSync(bytes, { level: 9 }).toString('base64');

async function bundle(entry) {
  const out = await build({
    entryPoints: [www(entry)], bundle: true, format: 'iife', minify: true, write: false,
    logLevel: 'error', target: 'es2022',
    // The served page's `new URL(…, import.meta.url)` paths are not taken offline.
    define: { 'import.meta.url': '"file:///"' },
    // The threaded build needs cross-origin isolation, which file:// never
    // has: the worker's import of it is left out (and never reached).
    external: ['./pkg-threads/kequn.js'],
  });
  return out.outputFiles[0].text;
}

// Every file the page may fetch for its samples, by the path it asks for.
function files(dir, prefix, out = {}) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) files(full, `${prefix}${name}/`, out);
    else out[`${prefix}${name}`] = packed(readFileSync(full));
  }
  return out;
}
const data = {
  ...files(path.join(ROOT, 'data/samples'), 'samples/'),
  ...files(path.join(ROOT, 'data/recipes'), 'recipes/'),
  ...files(path.join(ROOT, 'data/scenarios'), 'scenarios/'),
};

const unpack = `const unpack=(b64)=>new Response(new Blob([Uint8Array.from(atob(b64),(c)=>c.charCodeAt(0))]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();`;
const workerSource = `${unpack}self.KEQUN_WASM=unpack(${JSON.stringify(packed(readFileSync(www('pkg/kequn_bg.wasm'))))}).then((b)=>new Uint8Array(b));\n${await bundle('worker.js')}`;
// The office build (workbooks, restored runs, downloads from JSON) waits
// in an element no script engine parses: in the worker's source it cost
// every start ~80 ms. The page unpacks it when the worker asks.
const office = packed(readFileSync(www('pkg-office/kequn_bg.wasm')));
const boot = `${unpack}const DATA=${JSON.stringify(data)};`
  + `globalThis.KEQUN_OFFLINE={worker:URL.createObjectURL(new Blob([${JSON.stringify(workerSource)}],{type:'text/javascript'})),`
  + `file:async(p)=>{if(!(p in DATA))throw new Error(p+': not in this file');return new Blob([await unpack(DATA[p])]);},`
  + `office:()=>unpack(document.getElementById('kequn-office-wasm').textContent)};\n`
  // The served page's boot script: the worker starts while the rest of the file is parsed.
  + readFileSync(www('boot.js'), 'utf8');
// An inline script ends at the first "</script": keep that out of both.
const safe = (js) => js.replace(/<\/(script)/gi, '<\\/$1');
const app = safe(await bundle('app.js'));
const bootSafe = safe(boot);
const sha = (s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
const csp = `default-src 'none'; script-src ${sha(bootSafe)} ${sha(app)} 'wasm-unsafe-eval'; worker-src blob:; `
  + "img-src data: blob:; style-src 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'";

let html = readFileSync(www('index.html'), 'utf8');
const swap = (from, to) => {
  if (!html.includes(from)) throw new Error(`index.html no longer has ${from}`);
  html = html.replace(from, () => to);
};
swap(html.match(/<meta http-equiv="Content-Security-Policy"[^>]*>/)[0], `<meta http-equiv="Content-Security-Policy" content="${csp}">`);
swap('<link rel="stylesheet" href="style.css">', `<style>${readFileSync(www('style.css'), 'utf8')}</style>`);
// The app runs after the body is parsed, as the module script did.
swap('<script src="boot.js"></script>\n<script type="module" src="app.js"></script>', `<script>${bootSafe}</script>`);
// (After the app, which starts while the parser reads it.)
swap('</body>', `<script>${app}</script>\n<script type="application/gzip-base64" id="kequn-office-wasm">${office}</script>\n</body>`);
mkdirSync(path.join(ROOT, 'dist'), { recursive: true });
writeFileSync(path.join(ROOT, 'dist/kequn.html'), html);
const size = Buffer.byteLength(html);
console.log(`dist/kequn.html: ${size} bytes (${(size / 1048576).toFixed(1)} MiB), ${gzipSync(html).length} bytes gzip`);
