#!/usr/bin/env bash
# `npm run size`: what a page downloads (release wasm, JS glue, entry and snippets), raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f pkg/socketio_wasm_bg.wasm ]] || { bash scripts/setup.sh --build; bash scripts/build.sh; }
# The wasm-bindgen snippets (small inline JS modules) are imported by the glue: they count too.
mapfile -t snippets < <(find pkg/snippets -name '*.js' | sort)
files=(pkg/socketio_wasm_bg.wasm pkg/socketio_wasm.js pkg/index.js "${snippets[@]}")
total_raw=0; total_gzip=0
printf '%-28s %10s %10s\n' file raw gzip-9
for file in "${files[@]}"; do
  raw=$(wc -c <"$file"); gz=$(gzip -9 -c "$file" | wc -c)
  total_raw=$((total_raw + raw)); total_gzip=$((total_gzip + gz))
  printf '%-28s %10d %10d\n' "$(basename "$file")" "$raw" "$gz"
done
printf '%-28s %10d %10d\n' total "$total_raw" "$total_gzip"
