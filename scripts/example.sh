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
#   bash scripts/example.sh --size --nightly   the same on nightly with std rebuilt for size, as
#                                    scripts/build.sh builds the npm package when it can
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

nightly=()
if [[ "${2:-}" == --nightly ]]; then
  bash scripts/nightly.sh || { echo "no nightly toolchain for wasm32" >&2; exit 1; }
  export RUSTUP_TOOLCHAIN=nightly
  export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
  nightly=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)
fi

# build <out dir> [cargo args...]
build() {
  local out=$1
  shift
  rm -rf "$out"
  CARGO_TARGET_DIR="$PWD/target/example-cargo${nightly:+-nightly}" wasm-pack --quiet build \
    examples/chat --release --target web --out-dir "$PWD/$out/stage" --no-pack --no-typescript \
    -- --locked "${nightly[@]}" "$@"
  node_modules/.bin/wasm-opt -Oz --enable-reference-types --enable-bulk-memory --enable-sign-ext \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-multivalue \
    "$out/stage/socketio_wasm_chat_bg.wasm" -o "$out/socketio_wasm_chat_bg.wasm"
  cp "$out/stage/socketio_wasm_chat.js" examples/chat/index.html "$out/"
  if [[ -d "$out/stage/snippets" ]]; then cp -r "$out/stage/snippets" "$out/"; fi
  rm -rf "$out/stage"
}

# size <label> <files...>: raw and gzip -9 bytes (of the files concatenated)
size() {
  local label=$1
  shift
  printf '%-28s %8d B raw %8d B gzip -9\n' "$label" "$(cat "$@" | wc -c)" "$(cat "$@" | gzip -9c | wc -c)"
}

build target/example
if [[ "${1:-}" == --size ]]; then
  build target/example-noclient --no-default-features
  for dir in target/example target/example-noclient; do
    size "$dir wasm" "$dir/socketio_wasm_chat_bg.wasm"
    size "$dir JS glue (unminified)" "$dir/socketio_wasm_chat.js" $(find "$dir" -path '*/snippets/*.js' | sort)
  done
fi
