#!/usr/bin/env bash
# Builds the Rust chat example (examples/chat, its own crate and workspace) into target/example/:
# index.html, socketio_wasm_chat.js and snippets/ (the wasm-bindgen glue: the crate's inline JS
# helpers are separate modules in snippets/) and socketio_wasm_chat_bg.wasm
# (wasm-pack --release, then wasm-opt -Oz from the npm package binaryen, as scripts/build.sh
# does). www/server.mjs serves it at /rust/.
#   bash scripts/example.sh          the example
#   bash scripts/example.sh --size   also the same page without the Socket.IO client (the
#                                    example's feature `client` off: a local loopback instead),
#                                    into target/example-noclient/, and prints both sizes
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# build <out dir> [cargo args...]
build() {
  local out=$1
  shift
  rm -rf "$out"
  CARGO_TARGET_DIR="$PWD/target/example-cargo" wasm-pack --quiet build examples/chat --release \
    --target web --out-dir "$PWD/$out/stage" --no-pack --no-typescript -- --locked "$@"
  node_modules/.bin/wasm-opt -Oz --enable-reference-types --enable-bulk-memory --enable-sign-ext \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-multivalue \
    "$out/stage/socketio_wasm_chat_bg.wasm" -o "$out/socketio_wasm_chat_bg.wasm"
  cp -r "$out/stage/socketio_wasm_chat.js" "$out/stage/snippets" examples/chat/index.html "$out/"
  rm -rf "$out/stage"
}

# size <label> <wasm>: raw and gzip -9 bytes
size() {
  printf '%-16s %8d B raw %8d B gzip -9\n' "$1" "$(wc -c <"$2")" "$(gzip -9c "$2" | wc -c)"
}

build target/example
if [[ "${1:-}" == --size ]]; then
  build target/example-noclient --no-default-features
  size "with client" target/example/socketio_wasm_chat_bg.wasm
  size "without client" target/example-noclient/socketio_wasm_chat_bg.wasm
fi
