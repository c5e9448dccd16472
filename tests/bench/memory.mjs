// The tab's memory as the operating system sees it: the peak resident set
// (VmHWM) of the largest Chromium renderer process alive now. The page and
// its worker (where the wasm memory lives) share one renderer, and with one
// page open at a time the largest renderer is that page's. Linux only.
import { readdirSync, readFileSync } from 'node:fs';

export function rendererPeakMiB() {
  return largestRenderer('VmHWM');
}

// The tab's resident memory now (VmRSS of the largest renderer), MiB.
export function rendererNowMiB() {
  return largestRenderer('VmRSS');
}

// `field` of /proc/PID/status (kB) of the largest renderer alive, in MiB.
function largestRenderer(field) {
  let most = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const kb = Number((readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`)) || [0, 0])[1]);
      most = Math.max(most, kb / 1024);
    } catch {
      // The process ended while we looked.
    }
  }
  return most;
}
