#!/usr/bin/env bash
# `npm start`: installs what is missing, builds the release package, serves the demo chat
# (and its socket.io server) on http://localhost:${PORT:-3000}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --build
bash scripts/build.sh
exec node www/server.mjs
