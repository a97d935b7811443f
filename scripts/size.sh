#!/usr/bin/env bash
# `npm run size`: what a page downloads, raw and gzipped: the wasm and one of the two entries
# (the ES module, or the classic script: the same code bundled two ways).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f pkg/socketio_wasm_bg.wasm ]] || { bash scripts/setup.sh --build; bash scripts/build.sh; }
row() { printf '%-28s %10s %10s\n' "$@"; }
sizes() { echo "$(wc -c <"$1") $(gzip -9 -c "$1" | wc -c)"; }
row file raw gzip-9
read -r wasm_raw wasm_gz < <(sizes pkg/socketio_wasm_bg.wasm)
row socketio_wasm_bg.wasm "$wasm_raw" "$wasm_gz"
for entry in pkg/index.js pkg/socketio-wasm.js; do
  read -r raw gz < <(sizes "$entry")
  row "$(basename "$entry")" "$raw" "$gz"
  row "  page total with it" $((wasm_raw + raw)) $((wasm_gz + gz))
done
