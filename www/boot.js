// Starts the wasm worker while the page's modules are still loading: its
// wasm is fetched and compiled beside them rather than after them (the page
// is ready when the worker answers). ui/worker-client.js takes it over.
// The offline file's inline boot does the same from its Blob URL.
(() => {
  const w = new Worker(new URL('worker.js', document.baseURI), { type: 'module' });
  // An error before the page listens: the page starts a new worker instead.
  w.addEventListener('error', () => { w.failedEarly = true; }, { once: true });
  globalThis.KEQUN_EARLY_WORKER = w;
})();
