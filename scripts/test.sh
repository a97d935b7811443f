#!/usr/bin/env bash
# `npm test`: every check and test, installing whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
# Every step that can wait on a browser, a server or the network has a time limit, and every
# node test file and test a timeout (tests set tighter ones of their own), so that a hang fails
# with its output instead of stalling the whole run. `--test-force-exit`: a file whose tests
# are done exits even if a handle is left open.
within() { local minutes=$1; shift; timeout --kill-after=20s "${minutes}m" "$@"; }
node_test=(node --test --test-timeout=600000 --test-force-exit)
# tests/api's files each start their own Chromium and servers (free ports) and mostly wait on
# timers and the network: two at a time take 3.5 minutes per client instead of 5.7 on two
# cores. (node's own default here would be one: the core count minus one.)
api_test=("${node_test[@]}" --test-concurrency=2)

step "set-up (installs what is missing)"
within 40 bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

step "format"
cargo fmt --check
# Each with the JS facade (--all-features) and without it (what a Rust app compiles).
step "clippy, native"
cargo clippy --all-targets --locked -- -D warnings
cargo clippy --all-targets --locked --all-features -- -D warnings
step "clippy, wasm32"
cargo clippy --all-targets --locked --target wasm32-unknown-unknown -- -D warnings
cargo clippy --all-targets --locked --all-features --target wasm32-unknown-unknown -- -D warnings
# The npm package's smaller builds: WebSocket-only (no `polling`), as `socketio-wasm/websocket`;
# and without `retries`, `recovery` and `binary` as well, as `socketio-wasm/minimal`.
cargo clippy --all-targets --locked --no-default-features --features js,retries,recovery,binary \
  --target wasm32-unknown-unknown -- -D warnings
cargo clippy --all-targets --locked --no-default-features --features js \
  --target wasm32-unknown-unknown -- -D warnings
# A Rust app's smallest client (no optional feature, no JS facade).
cargo clippy --all-targets --locked --no-default-features --target wasm32-unknown-unknown -- -D warnings
step "types (tsc --noEmit over tests/types)"
node_modules/.bin/tsc --noEmit -p tests/types
step "docs, native and wasm32 (no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet --all-features
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet --target wasm32-unknown-unknown
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet --all-features \
  --target wasm32-unknown-unknown
step "native tests (protocol core), with every optional part and with none"
within 20 cargo test --locked
within 20 cargo test --locked --no-default-features
step "the Rust API in headless Chromium (wasm-bindgen-test, socket.io 4.8 server)"
within 20 bash scripts/browser-rust.sh
# And as the minimal build: WebSocket-only, no retries, no recovery, no binary.
within 20 bash scripts/browser-rust.sh --no-default-features
step "fuzz corpora, replayed once each (every crash once found stays a regression test)"
within 20 bash scripts/fuzz.sh --replay
step "build the package, and its size against the budget"
within 20 bash scripts/build.sh
node scripts/size.mjs --check
step "the socket.io-client API in headless Chromium (tests/api, socket.io 4.8 server)"
within 20 "${api_test[@]}" tests/api/
step "the same tests against socket.io-client 4.8 itself (a test it fails is wrong)"
API_CLIENT=reference within 20 "${api_test[@]}" tests/api/
step "server matrix: socket.io, socketioxide and python-socketio, for both clients (tests/matrix)"
within 20 bash scripts/servers.sh
within 20 "${node_test[@]}" tests/matrix/
API_CLIENT=reference within 20 "${node_test[@]}" tests/matrix/
step "soak: 30 s of chat through random network faults, both clients (npm run soak: 5 minutes)"
SOAK_SECONDS=30 within 20 "${node_test[@]}" tests/soak/
API_CLIENT=reference SOAK_SECONDS=30 within 20 "${node_test[@]}" tests/soak/
step "end-to-end: the demo chat (ES module page, classic-script tutorial page, the Rust example)"
within 20 bash scripts/example.sh
(cd examples/chat && export CARGO_TARGET_DIR="$PWD/../../target/example-cargo" &&
  cargo fmt --check &&
  cargo clippy --locked --target wasm32-unknown-unknown -- -D warnings &&
  cargo clippy --locked --target wasm32-unknown-unknown --no-default-features -- -D warnings)
within 20 "${node_test[@]}" tests/e2e/
step "bundlers: the packed package in a Vite app and a webpack 5 app, default configurations"
within 20 "${node_test[@]}" tests/bundlers/
step "done"
