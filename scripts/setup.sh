#!/usr/bin/env bash
# Installs what kequn needs on a fresh Debian machine, idempotently. Only the
# package registries are used: apt (Chromium, ChromeDriver), rustup (the wasm
# target; a pinned nightly and its std source for the threaded page build),
# crates.io (wasm-bindgen-cli at the version in Cargo.lock), npm.
#   scripts/setup.sh          everything (for the tests)
#   scripts/setup.sh build    only what building and serving the page needs
#   scripts/setup.sh wasm-pack everything, and wasm-pack for `make test-wasm-pack`
#                             (not needed by `make test`; compiles for minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
# The page's threaded build (www/pkg-threads) needs wasm atomics, which
# only a nightly compiler builds std with: a pinned one, and its std source.
nightly=nightly-2026-05-19
if ! rustup run "$nightly" rustc --version >/dev/null 2>&1 || ! rustup component list --toolchain "$nightly" --installed | grep -q '^rust-src'; then
  rustup toolchain install "$nightly" --profile minimal --component rust-src
fi
for comp in rustfmt clippy; do
  rustup component list --installed | grep -q "^$comp" || rustup component add "$comp"
done

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "installing wasm-bindgen-cli $want (have: ${have:-none}); takes a few minutes"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if [ "$what" = all ] || [ "$what" = wasm-pack ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list :lang=zh | grep -q .; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei
  fi
fi

# DuckDB from PyPI for the SQL export's test (tests/sql.rs); jpmml-evaluator
# (PyPI), Java and xmllint (apt) for the PMML export's (tests/pmml.rs).
if [ "$what" = all ] || [ "$what" = wasm-pack ]; then
  ./scripts/venv-sql.sh pmml
fi

# wasm-pack from crates.io (its installer script downloads from GitHub).
wasm_pack=0.15.1
if [ "$what" = wasm-pack ] && [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$wasm_pack" ]; then
  echo "installing wasm-pack $wasm_pack; takes several minutes"
  cargo install wasm-pack --version "$wasm_pack" --locked --force
fi
