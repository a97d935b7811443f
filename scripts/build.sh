#!/usr/bin/env bash
# Builds the npm package into pkg/:
#   socketio_wasm_bg.wasm  the size-tuned release wasm (wasm-pack, on nightly with std rebuilt for
#                          size when the machine has it, then wasm-opt -Oz, converged, from the
#                          npm package binaryen), its imports and exports renamed short
#                          (shorten-names.mjs)
#   index.js               the ES module entry: src/js/*.js and the wasm-bindgen glue, bundled
#                          and minified by esbuild (one file: nothing for a bundler to miss)
#   socketio-wasm.js       the same as a classic script that defines the global `io`
#   index.d.ts             the types
#   websocket/             the WebSocket-only build (cargo features without `polling`): its own
#                          socketio_wasm_bg.wasm and index.js, the entry `socketio-wasm/websocket`
#   minimal/               the smallest build: WebSocket-only, and without the `retries` queue,
#                          connection state recovery and binary attachments; the entry
#                          `socketio-wasm/minimal`
# The JS facade is the cargo feature `js` (a Rust app leaves it off); every build enables it.
# The glue and the sources are staged in target/js/<build>/ so that the bundles import the glue
# as the sources do (`./socketio_wasm.js`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

rm -rf pkg target/js
mkdir -p pkg
# For size, the machine's nightly toolchain rebuilds std without formatting and panic messages
# (about 16% less wasm); the crate itself builds on stable, which is the fallback.
toolchain=stable
bash scripts/nightly.sh && toolchain=nightly
# The glue lists a snippet module once per function the wasm imports from it directly, under the
# same key: esbuild warns of the duplicate key, though both entries are the same module.
esbuild=(node_modules/.bin/esbuild --bundle --minify --log-level=warning --target=es2020
  --log-override:duplicate-object-key=silent)

# wasm <stage dir> <out dir> <cargo feature args...>: the optimised wasm into <out dir>, the glue
# and the JS sources into <stage dir>.
wasm() {
  local stage=$1 out=$2
  shift 2
  if [[ $toolchain == nightly ]]; then
    # Without reference types, wasm-bindgen keeps JS values in a JS array instead of a wasm
    # table: 1.3 KB less gzipped wasm, and receiving small events about 5% faster (a table write
    # per value crossing costs more than an array store). std is rebuilt with the same flag;
    # stable's prebuilt std has them on, so the stable fallback keeps the default.
    CARGO_TARGET_DIR=target/nightly RUSTUP_TOOLCHAIN=nightly \
      RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none -Ctarget-feature=-reference-types" \
      wasm-pack --quiet build . --release --target web --out-dir "$stage" --no-pack --no-typescript \
      -- "$@" -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
  else
    wasm-pack --quiet build . --release --target web --out-dir "$stage" --no-pack --no-typescript \
      -- "$@"
  fi
  mkdir -p "$out"
  # --converge repeats -Oz while it still shrinks the module. --low-memory-unused lets it fold
  # constant offsets into loads and stores: the first 1 KB of memory is the far end of Rust's
  # 1 MB stack (the data starts at 1 MB, the stack grows down below it), which only a stack
  # about to overflow would reach. Together 0.7 KB gzip.
  node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused --enable-reference-types \
    --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-multivalue \
    "$stage/socketio_wasm_bg.wasm" -o "$out/socketio_wasm_bg.wasm"
  node scripts/shorten-names.mjs "$out/socketio_wasm_bg.wasm" "$stage/socketio_wasm.js"
  cp src/js/*.js "$stage/"
}

wasm target/js/full pkg --features js,small-alloc
"${esbuild[@]}" target/js/full/index.js --format=esm --outfile=pkg/index.js
"${esbuild[@]}" target/js/full/classic.js --format=iife --outfile=pkg/socketio-wasm.js \
  --inject:target/js/full/script-url.js --define:import.meta.url=scriptUrl
cp src/js/index.d.ts pkg/

wasm target/js/websocket pkg/websocket --no-default-features --features js,retries,recovery,binary,small-alloc
"${esbuild[@]}" target/js/websocket/index.js --format=esm --outfile=pkg/websocket/index.js

wasm target/js/minimal pkg/minimal --no-default-features --features js,small-alloc
"${esbuild[@]}" target/js/minimal/index.js --format=esm --outfile=pkg/minimal/index.js

echo "$toolchain" >target/js/toolchain
