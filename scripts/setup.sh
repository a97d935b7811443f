#!/usr/bin/env bash
# Installs whatever this project needs and is missing; quick when everything is there.
# Follows shared/TOOLCHAIN.md: nothing that downloads its own binary.
#   scripts/setup.sh          build + test tools (Rust targets, wasm-bindgen, wasm-pack, Chromium, npm deps)
#   scripts/setup.sh --build  only what `npm start` needs (no Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=1
[[ "${1:-}" == "--build" ]] && want_browser=0

export PATH="$HOME/.cargo/bin:$PATH"
say() { echo "setup: $*" >&2; }

# The wasm-bindgen CLI must be the exact version of the crate (Cargo.toml pins it with '=').
bindgen_version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    rustup component add "$component"
  fi
done

if [[ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$bindgen_version" ]]; then
  say "installing wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  # Not --locked: its lock file pins crates newer than the registry here serves.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi
if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (a few minutes, once)"
  cargo install --locked wasm-pack
fi

# Fuzzing (scripts/fuzz.sh, and npm test replays the committed corpora): libFuzzer through
# cargo-fuzz on the nightly toolchain.
if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain (for cargo fuzz)"
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  say "installing cargo-fuzz (about a minute, once)"
  cargo install cargo-fuzz
fi

apt_missing=()
if (( want_browser )); then
  [[ -x /usr/bin/chromium ]] || apt_missing+=(chromium)
fi
if (( ${#apt_missing[@]} )); then
  say "apt-get install ${apt_missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

# npm dependencies (socket.io server, playwright-core, binaryen): reinstalled from the lock file
# when it changed.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
