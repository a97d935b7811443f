#!/usr/bin/env bash
# `npm start`: installs what is missing, builds the release package and the Rust chat example,
# serves the demo chat (and its socket.io server) on http://localhost:${PORT:-3000}, and the
# same chat in Rust on http://localhost:${PORT:-3000}/rust/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --build
bash scripts/build.sh
bash scripts/example.sh
exec node www/server.mjs
