// The tab's memory as the operating system sees it: the peak resident set
// (VmHWM) of the largest Chromium renderer process alive now. The page and
// its worker (where the wasm memory lives) share one renderer, and with one
// page open at a time the largest renderer is that page's. Linux only.
import { readdirSync, readFileSync } from 'node:fs';

export function rendererPeakMiB() {
  let peak = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const kb = Number((readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/) || [0, 0])[1]);
      peak = Math.max(peak, kb / 1024);
    } catch {
      // The process ended while we looked.
    }
  }
  return peak;
}

// The tab's resident memory now (VmRSS of the largest renderer), MiB.
export function rendererNowMiB() {
  let now = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const kb = Number((readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/) || [0, 0])[1]);
      now = Math.max(now, kb / 1024);
    } catch {
      // The process ended while we looked.
    }
  }
  return now;
}
