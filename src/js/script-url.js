// Injected into the classic-script build in place of `import.meta.url` (which a classic script
// has not): the URL of the script being run, read while it runs, so the wasm file is found
// beside it. A worker's `importScripts` has no `currentScript`: the worker's own URL serves.
export const scriptUrl =
  (typeof document !== "undefined" && document.currentScript?.src) || self.location.href;
