#!/usr/bin/env bash
# Builds the other Socket.IO servers of the server matrix (tests/matrix/), once:
#   target/servers/release/socketioxide-test-server   (tests/servers/socketioxide, Rust)
#   target/py/bin/python with python-socketio          (tests/servers/python, a virtualenv)
# Quick when both are there.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_TARGET_DIR="$PWD/target/servers" cargo build --release --locked --quiet \
  --manifest-path tests/servers/socketioxide/Cargo.toml

if [[ ! -x target/py/bin/python ]]; then
  python3 -m venv target/py
fi
requirements=tests/servers/python/requirements.txt
if ! cmp -s "$requirements" target/py/requirements.installed; then
  target/py/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" target/py/requirements.installed
fi
