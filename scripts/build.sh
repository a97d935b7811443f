#!/usr/bin/env bash
# Builds the npm package into pkg/: the size-tuned release wasm (wasm-pack, then wasm-opt -Oz from
# the npm package binaryen), its wasm-bindgen glue, and the entry point (index.js, index.d.ts)
# from src/js/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

rm -rf pkg
wasm-pack --quiet build --release --target web --out-dir pkg --no-pack --no-typescript
node_modules/.bin/wasm-opt -Oz --enable-reference-types --enable-bulk-memory --enable-sign-ext \
  --enable-mutable-globals --enable-nontrapping-float-to-int --enable-multivalue \
  pkg/socketio_wasm_bg.wasm -o pkg/socketio_wasm_bg.wasm
cp src/js/index.js src/js/index.d.ts pkg/
