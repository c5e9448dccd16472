// Starts the wasm worker while the page's modules are still loading: its
// wasm is fetched and compiled beside them rather than after them (the page
// is ready when the worker answers). ui/worker-client.js takes it over.
// The offline file runs this too, after its boot set KEQUN_OFFLINE: there
// the worker comes from its Blob URL.
(() => {
  const offline = globalThis.KEQUN_OFFLINE;
  const w = offline ? new Worker(offline.worker)
    : new Worker(new URL('worker.js', document.baseURI), { type: 'module' });
  // An error before the page listens: the page starts a new worker instead.
  w.addEventListener('error', () => { w.failedEarly = true; }, { once: true });
  globalThis.KEQUN_EARLY_WORKER = w;
})();
