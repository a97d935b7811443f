// Injected into the classic-script build in place of `import.meta.url` (which a classic script
// has not): the URL of the script being run, read while it runs, so the wasm file is found
// beside it. A page's <script> gives it as `document.currentScript`. A worker's
// `importScripts` gives none, and the worker's own URL may be elsewhere: every engine names the
// running script's URL (with its line and column) in the stack of an error made here, and the
// worker's URL serves only if that fails.
function runningScriptUrl() {
  const current = typeof document !== "undefined" && document.currentScript?.src;
  if (current) return current;
  const stack = String(new Error().stack);
  return stack.match(/(?:https?|file|blob):[^\s()]*?(?=:\d+:\d+)/)?.[0] ?? self.location.href;
}

export const scriptUrl = runningScriptUrl();
