#!/usr/bin/env bash
# The wasm-bindgen tests (tests/browser.rs) in headless Chromium, against a real socket.io 4.8
# server (tests/servers/test-server.mjs) that this script starts and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

run_dir=tests/.run
mkdir -p "$run_dir"
TEST_PORT=0 node tests/servers/test-server.mjs >"$run_dir/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT

url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^test server listening on \(http[^ ]*\).*/\1/p' "$run_dir/server.log")
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$run_dir/server.log"; exit 1; }
  sleep 0.1
done
[[ -n "$url" ]] || { echo "test server did not start"; cat "$run_dir/server.log"; exit 1; }

# The URL is baked into the test build (option_env!); the chromium flags come from webdriver.json.
export SOCKETIO_TEST_URL="$url"
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=120
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test --target wasm32-unknown-unknown --test browser --test browser_polling
