#!/usr/bin/env bash
# `npm run fuzz`: runs each fuzz target (fuzz/fuzz_targets) with libFuzzer for a while.
#   scripts/fuzz.sh [seconds per target] [target...]   default 60 s, every target
#   scripts/fuzz.sh --replay                            each committed corpus once (npm test)
# New inputs go to fuzz/work/<target> (not committed); the committed corpus fuzz/corpus/<target>
# is read, never written. FUZZ_MERGE=1 folds what was found into the committed corpus, minimized
# (only inputs that add coverage are kept). A crash leaves its input in fuzz/artifacts/<target>:
# fix it, then copy the input into fuzz/corpus/<target> so that it stays a regression test.
# Targets are built with debug assertions (-a): integer overflow panics here, where the release
# wasm build would wrap silently.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

targets() { sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^socketio-wasm-fuzz$'; }

if [[ "${1:-}" == "--replay" ]]; then
  for target in $(targets); do
    echo "fuzz: replaying fuzz/corpus/$target ($(ls "fuzz/corpus/$target" | wc -l) inputs)" >&2
    cargo +nightly fuzz run -a "$target" "fuzz/corpus/$target" -- -runs=0 2>&1 | tail -n 1
  done
  exit 0
fi

seconds=${1:-60}
shift || true
chosen=("$@")
(( ${#chosen[@]} )) || mapfile -t chosen < <(targets)
for target in "${chosen[@]}"; do
  mkdir -p "fuzz/work/$target"
  echo "fuzz: $target for ${seconds}s" >&2
  cargo +nightly fuzz run -a "$target" "fuzz/work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 2>&1 | grep -E '^(Done|stat::number_of_executed_units|SUMMARY)|panicked' || true
  if [[ "${FUZZ_MERGE:-0}" == 1 ]]; then
    merged="fuzz/work/$target.merged"
    rm -rf "$merged" && mkdir -p "$merged"
    cargo +nightly fuzz run -a "$target" "$merged" "fuzz/corpus/$target" "fuzz/work/$target" -- -merge=1 2>/dev/null
    rm -rf "fuzz/corpus/$target" && mv "$merged" "fuzz/corpus/$target"
  fi
done
if compgen -G "fuzz/artifacts/*/crash-*" >/dev/null; then
  echo "fuzz: crashes found:" >&2
  ls fuzz/artifacts/*/crash-* >&2
  exit 1
fi
