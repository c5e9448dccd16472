# The two commands of the README:
#   make run    build the wasm core and the page, serve it on http://127.0.0.1:8080/
#   make test   every test: native, wasm in headless Chromium, end-to-end page tests
# Both install what is missing first (scripts/setup.sh).

PORT ?= 8080
# The page's core (www/pkg): nightly, std rebuilt (scripts/setup.sh pins
# both), and a panic traps at once instead of formatting its message: the
# worker reports any trap as an internal error either way, and the CLI,
# the tests and the office build keep the messages. 43 KB less gzip.
NIGHTLY := $(shell sed -n 's/^nightly=//p' scripts/setup.sh)
WASM := target/core/wasm32-unknown-unknown/release/kequn.wasm
WASM_OFFICE := target/office/wasm32-unknown-unknown/release/kequn.wasm
# The threaded build: wasm atomics and shared memory (up to wasm32's 4 GiB).
WASM_THREADS := target/threads/wasm32-unknown-unknown/release/kequn.wasm
# (.cargo/config.toml's flags, which RUSTFLAGS replaces, kept in step.)
WASM_RUSTFLAGS := --cfg getrandom_backend="wasm_js" -C llvm-args=-inline-threshold=50 -Zunstable-options -C panic=immediate-abort
CORE_RUSTFLAGS := $(WASM_RUSTFLAGS) -C target-feature=+simd128
THREADS_RUSTFLAGS := $(WASM_RUSTFLAGS) -C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128 \
  -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
  -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base
# (binaryen's wasm-opt, -O3 or -Oz, took 10 KB off the threaded build's
# gzip but made the K scan in the page 30% slower: not used.)
CHROMEDRIVER ?= /usr/bin/chromedriver
export CHROMEDRIVER

# check-spark: the SQL export in Spark SQL (PySpark from PyPI, Java from apt); not in `make test`.
# check-pmml: the PMML export alone (jpmml-evaluator from PyPI, Java and xmllint from apt; also in `make test`).
.PHONY: check-spark check-pmml run test setup setup-build build cli page lint test-native test-wasm test-wasm-pack test-e2e bench bench-compare clean

run: setup-build build
	./target/release/kequn serve www --port $(PORT)

test: setup build lint test-native test-wasm test-e2e

setup:
	./scripts/setup.sh all

setup-build:
	./scripts/setup.sh build

build: cli page

cli:
	cargo build --release --bin kequn

# The wasm's name section (function names, 270 KB) only serves panic stack
# traces; the shipped page goes without (the CLI and the wasm tests keep them).
# Three builds: www/pkg (plain; the offline file's) and www/pkg-threads (the
# served page's where it is cross-origin isolated; see www/worker.js), both
# without the `office` feature; and www/pkg-office, with it, which the
# worker loads only for a workbook, a restored run or a download from JSON.
page:
	RUSTFLAGS='$(CORE_RUSTFLAGS)' CARGO_TARGET_DIR=target/core cargo +$(NIGHTLY) build --release --lib \
	  --target wasm32-unknown-unknown --no-default-features -Z build-std=panic_abort,std
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir www/pkg $(WASM)
	CARGO_TARGET_DIR=target/office cargo build --release --lib --target wasm32-unknown-unknown
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir www/pkg-office $(WASM_OFFICE)
	RUSTFLAGS='$(THREADS_RUSTFLAGS)' CARGO_TARGET_DIR=target/threads cargo +$(NIGHTLY) build --release --lib \
	  --target wasm32-unknown-unknown --no-default-features --features threads -Z build-std=panic_abort,std
	rm -rf www/pkg-threads
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir www/pkg-threads $(WASM_THREADS)
	# wasm-bindgen-rayon's pool threads start the module with the positional
	# arguments wasm-bindgen has deprecated (a console warning a thread).
	sed -i 's/pkg.default(data.module, data.memory)/pkg.default({ module_or_path: data.module, memory: data.memory })/' \
	  www/pkg-threads/snippets/wasm-bindgen-rayon-*/src/workerHelpers.no-bundler.js
	grep -q 'module_or_path: data.module' www/pkg-threads/snippets/wasm-bindgen-rayon-*/src/workerHelpers.no-bundler.js
	mkdir -p www/vendor www/samples
	cp node_modules/echarts/dist/echarts.esm.min.mjs www/vendor/
	cp node_modules/papaparse/papaparse.min.js www/vendor/
	cp data/samples/* www/samples/
	rm -rf www/recipes www/scenarios && cp -r data/recipes www/recipes && cp -r data/scenarios www/scenarios
	@echo "wasm: $$(wc -c < www/pkg/kequn_bg.wasm) bytes raw, $$(gzip -9c www/pkg/kequn_bg.wasm | wc -c) bytes gzip; threaded build $$(gzip -9c www/pkg-threads/kequn_bg.wasm | wc -c) bytes gzip; office build $$(gzip -9c www/pkg-office/kequn_bg.wasm | wc -c) bytes gzip"
	node scripts/single.mjs

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --tests --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings

test-native:
	cargo test

# wasm-bindgen-test in headless Chromium; flags come from webdriver.json.
test-wasm:
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  cargo test --target wasm32-unknown-unknown --test web

# The same wasm tests through wasm-pack (`scripts/setup.sh wasm-pack`). It
# takes the wasm-bindgen on PATH when that is Cargo.lock's version and the
# wasm-bindgen-test-runner beside it; --mode no-install makes it fail rather
# than download anything, --chromedriver keeps it from fetching one.
test-wasm-pack:
	@command -v wasm-pack >/dev/null || { echo "no wasm-pack: run scripts/setup.sh wasm-pack"; exit 1; }
	wasm-pack test --mode no-install --headless --chrome --chromedriver $(CHROMEDRIVER) -- --test web

test-e2e:
	node --test --test-concurrency=1 tests/e2e/

# Benchmarks (not tests): the loader natively and in Chromium beside papaparse.
bench: setup build
	./target/release/kequn bench-parse --rows 1000000
	node tests/bench/parse.mjs 1000000
	node tests/bench/logistic.mjs 1000000
	node tests/bench/basket.mjs 1000000
	node tests/bench/kmeans.mjs 1000000

# Every step at 10k, 100k and 1M customers: kequn native, kequn wasm (through
# the worker) and the peers side by side; tables under bench-results/.
bench-compare: setup build
	node tests/bench/harness.mjs $(or $(SIZES),10000,100000,1000000)
	node tests/bench/gbdt.mjs $(or $(GBDT_ROWS),1000000)
	node tests/bench/binning.mjs $(or $(BINNING_ROWS),1000000)
	node tests/bench/stream.mjs $(or $(STREAM_ROWS),20000000)

clean:
	rm -rf target www/pkg www/vendor www/samples www/recipes www/scenarios test-output bench-data bench-results dist

# The exported SQL run in Spark SQL (local mode) on telco, bank-full and a
# wealth file with Chinese columns, every row against `kequn score`.
check-spark:
	./scripts/venv-sql.sh spark
	cargo test --test sql -- --ignored --nocapture the_same_files_score_the_same_in_spark_sql

# The PMML export scored by jpmml-evaluator and validated against the PMML
# 4.4 schema, with the figures (part of `make test` too).
check-pmml:
	./scripts/venv-sql.sh pmml
	cargo test --test pmml -- --nocapture
