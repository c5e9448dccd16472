// Every word the page shows has Chinese and English: each key the scripts
// and the page name (t('…'), data-i18n, data-i18n-placeholder,
// data-i18n-label, and the keys built from a prefix) is in i18n.js with
// both texts, and the English never holds Chinese characters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';

const WWW = path.join(ROOT, 'www');
const { STRINGS } = await import(path.join(WWW, 'i18n.js'));
const sources = ['app.js', ...readdirSync(path.join(WWW, 'ui')).map((f) => `ui/${f}`)]
  .map((f) => [f, readFileSync(path.join(WWW, f), 'utf8')]);
const html = readFileSync(path.join(WWW, 'index.html'), 'utf8');

// Keys built at run time: the prefix and every value it takes.
const BUILT = {
  step_: ['data', 'label', 'model', 'segment', 'basket', 'plan', 'export'],
  state_: ['todo', 'running', 'done', 'stale'],
  role_: ['feature', 'id', 'label', 'exclude'],
  method_name_: ['kmeans', 'kprototypes', 'gmm'],
  fix_: ['ragged_tolerance', 'encoding', 'header'],
  level_: ['stable', 'watch', 'alert'],
};

test('every key the page uses has both languages, English without Chinese', () => {
  const keys = new Set();
  for (const [, src] of sources) for (const m of src.matchAll(/\bt\('([a-z0-9_-]+)'/g)) keys.add(m[1]);
  for (const m of html.matchAll(/data-i18n(?:-placeholder|-label)?="([a-z0-9_-]+)"/g)) keys.add(m[1]);
  for (const [prefix, values] of Object.entries(BUILT)) for (const v of values) keys.add(prefix + v);
  for (const testid of ['seg-columns', 'basket-columns']) keys.add(`${testid}_label`);
  assert.ok(keys.size > 200, `${keys.size} keys found`);
  const missing = [...keys].filter((k) => !STRINGS[k]);
  assert.deepEqual(missing, [], 'keys without text');
  for (const k of keys) {
    const [zh, en] = STRINGS[k];
    assert.ok(zh && en, `${k}: both texts`);
    assert.ok(!/[\u4e00-\u9fff]/.test(en), `${k}: English text has Chinese: ${en}`);
  }
});

test('every progress stage the core reports has a translation', () => {
  const stages = new Set();
  for (const f of ['src/recipe/run.rs', 'src/score/analysis.rs']) {
    for (const m of readFileSync(path.join(ROOT, f), 'utf8').matchAll(/progress\.report\("([a-z_ ]+)"/g)) stages.add(m[1]);
  }
  assert.ok(stages.size >= 3, [...stages].join());
  for (const s of stages) assert.ok(STRINGS[`stage_${s}`], `stage_${s}`);
});
