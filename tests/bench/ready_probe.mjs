// The page's start, measured two ways, served and from file://: when the
// page marked itself ready (a MutationObserver in the page, so it needs
// nothing of the page), and when the test could read the clock after.
//   node tests/bench/ready_probe.mjs [TIMES]
import path from 'node:path';
import { startServer, launch, ROOT } from '../e2e/harness.mjs';

const times = Number(process.argv[2]) || 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const server = await startServer();
const browser = await launch();
try {
  for (const [where, url] of [['served', server.url], ['file://', `file://${path.join(ROOT, 'dist/kequn.html')}`]]) {
    const marked = [], read = [];
    for (let i = 0; i < times; i++) {
      const page = await browser.newPage();
      await page.addInitScript(() => {
        new MutationObserver((_, obs) => {
          if (document.body && document.body.dataset.ready === '1') { globalThis.__readyAt = performance.now(); obs.disconnect(); }
        }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });
      });
      await page.goto(url);
      await page.waitForSelector('body[data-ready="1"]');
      read.push(await page.evaluate(() => performance.now()));
      marked.push(await page.evaluate(() => globalThis.__readyAt));
      await page.close();
    }
    console.log(`${where}: ready marked ${median(marked).toFixed(0)} ms, read ${median(read).toFixed(0)} ms (medians of ${times}; marked ${marked.map((x) => x.toFixed(0)).join(' ')})`);
  }
} finally { await browser.close(); server.stop(); }
