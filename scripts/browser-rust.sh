#!/usr/bin/env bash
# The Rust API's tests (tests/browser_rust.rs) in headless Chromium with wasm-bindgen-test,
# against the socket.io 4.8 servers of tests/servers/rust-api.mjs, which this script starts and
# stops. The servers' URLs are baked into the test build (option_env!).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

log=$(mktemp)
node tests/servers/rust-api.mjs >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q '^RESTART=' "$log" && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
SOCKETIO_RUST_TEST_URL=$(sed -n 's/^MAIN=//p' "$log")
SOCKETIO_RUST_RESTART_URL=$(sed -n 's/^RESTART=//p' "$log")
[[ -n "$SOCKETIO_RUST_TEST_URL" && -n "$SOCKETIO_RUST_RESTART_URL" ]] || { cat "$log" >&2; exit 1; }
export SOCKETIO_RUST_TEST_URL SOCKETIO_RUST_RESTART_URL

export WASM_BINDGEN_TEST_TIMEOUT=120
# Opens the test page in headless Chromium itself, and again if it never starts the tests (see
# the script); wasm-bindgen-test-runner only serves the page.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="node $PWD/scripts/wasm-test-page.mjs"
cargo test --locked --target wasm32-unknown-unknown --test browser_rust "$@"
