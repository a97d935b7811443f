#!/usr/bin/env bash
# Exits 0 when the machine's nightly toolchain can rebuild std for wasm32 (adding rust-src and
# the wasm32 target to it if they are missing), 1 otherwise. SOCKETIO_WASM_STABLE=1 says no.
set -uo pipefail
[[ "${SOCKETIO_WASM_STABLE:-}" == 1 ]] && exit 1
export PATH="$HOME/.cargo/bin:$PATH"
rustup toolchain list 2>/dev/null | grep -q '^nightly' || exit 1
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
  rustup component add rust-src --toolchain nightly >&2 || exit 1
fi
if ! rustup target list --toolchain nightly --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown --toolchain nightly >&2 || exit 1
fi
