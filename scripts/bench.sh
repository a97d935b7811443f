#!/usr/bin/env bash
# `npm run bench`: builds the release package, then runs the browser benchmark (bench/run.mjs):
# socketio-wasm vs socket.io-client 4.8 vs a bare WebSocket, in headless Chromium. Writes
# bench/results.md and bench/results.json. Not part of `npm test`: it takes ~10 minutes.
#   npm run bench               the full run
#   npm run bench -- --quick    a 1-2 minute smoke run (bench/results.quick.*)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
node bench/run.mjs "$@"
