#!/usr/bin/env bash
# `npm run size`: builds the package if it is missing, then prints the size table
# (scripts/size.mjs); `npm run size -- --check` also checks the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f pkg/socketio_wasm_bg.wasm && -f target/js/toolchain ]] || { bash scripts/setup.sh --build; bash scripts/build.sh; }
node scripts/size.mjs "$@"
