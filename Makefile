# huaxiang — every command a developer or CI needs. `make serve` and `make test` install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

WASM_TARGET := wasm32-unknown-unknown
# The wasm-bindgen CLI must be the exact version of the crate in Cargo.lock.
WB_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/"/, "", $$3); print $$3; exit}' Cargo.lock)
TOOLS_DIR ?= $(HOME)/.cache/huaxiang
WB_ROOT := $(TOOLS_DIR)/wasm-bindgen-$(WB_VERSION)
WASM_BINDGEN := $(WB_ROOT)/bin/wasm-bindgen
WB_TEST_RUNNER := $(WB_ROOT)/bin/wasm-bindgen-test-runner
# DuckDB for the SQL export's differential test: the PyPI wheel (seconds; the Rust crate's bundled build takes many
# minutes), in a virtual environment under TOOLS_DIR. The test finds it through HUAXIANG_PYTHON.
DUCKDB_VERSION := 1.5.6
PY_DUCKDB := $(TOOLS_DIR)/py-duckdb
export HUAXIANG_PYTHON := $(PY_DUCKDB)/bin/python
# Reference figures for the models' tests: lifetimes and scikit-learn (pinned, with what they were checked with) from
# PyPI in a virtual environment under TOOLS_DIR, run by tests/models/reference.py on the CDNOW log the lifetimes wheel
# ships (never committed). The tests find the output through HUAXIANG_MODELS_REFERENCE and fail when it is missing.
MODELS_PY_PACKAGES := lifetimes==0.11.3 scikit-learn==1.9.1 "setuptools<81" pandas==3.1.1 numpy==2.4.6 scipy==1.17.1 autograd==1.9.1
PY_MODELS := $(TOOLS_DIR)/py-models
export HUAXIANG_MODELS_REFERENCE := $(TOOLS_DIR)/models-reference
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8000

.PHONY: help setup rust-target wasm-bindgen-cli browser duckdb models-reference clickhouse-check spark-check fuzz node-deps wasm wasm-bench site dist serve test lint native-test wasm-test e2e cli bench bench-deps bench-scale clean

help:
	@echo "make serve   install what is missing, build, serve the app on http://127.0.0.1:$(PORT)/"
	@echo "make test    install what is missing, run every test (fmt, clippy host+wasm32, native, wasm, e2e)"
	@echo "make bench   run the benchmarks"

setup: rust-target wasm-bindgen-cli browser duckdb node-deps

rust-target:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy

# `--locked` fails for some wasm-bindgen-cli versions (the index lacks a pinned dependency), so install unlocked.
wasm-bindgen-cli:
	@if [ ! -x "$(WASM_BINDGEN)" ] || ! "$(WASM_BINDGEN)" --version | grep -q "$(WB_VERSION)"; then \
	  echo "installing wasm-bindgen-cli $(WB_VERSION) (a few minutes, once)"; \
	  cargo install wasm-bindgen-cli --version $(WB_VERSION) --root "$(WB_ROOT)"; \
	fi

# Debian's chromium and chromedriver; never a downloaded browser.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium chromium-driver fonts-wqy-zenhei; \
	fi

duckdb:
	@if ! "$(HUAXIANG_PYTHON)" -c 'import sys, duckdb; sys.exit(duckdb.__version__ != "$(DUCKDB_VERSION)")' 2>/dev/null; then \
	  echo "installing duckdb $(DUCKDB_VERSION) from PyPI into $(PY_DUCKDB)"; \
	  python3 -m venv "$(PY_DUCKDB)" || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && python3 -m venv "$(PY_DUCKDB)"; }; \
	  "$(PY_DUCKDB)/bin/python" -m pip install --quiet --disable-pip-version-check "duckdb==$(DUCKDB_VERSION)"; \
	fi

models-reference:
	@if ! "$(PY_MODELS)/bin/python" -c 'import sys, lifetimes, sklearn; sys.exit(lifetimes.__version__ != "0.11.3" or sklearn.__version__ != "1.9.1")' 2>/dev/null; then \
	  echo "installing lifetimes and scikit-learn from PyPI into $(PY_MODELS)"; \
	  python3 -m venv "$(PY_MODELS)" || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && python3 -m venv "$(PY_MODELS)"; }; \
	  "$(PY_MODELS)/bin/python" -m pip install --quiet --disable-pip-version-check $(MODELS_PY_PACKAGES); \
	fi
	@if [ ! -f "$(HUAXIANG_MODELS_REFERENCE)/reference.json" ] || [ tests/models/reference.py -nt "$(HUAXIANG_MODELS_REFERENCE)/reference.json" ]; then \
	  "$(PY_MODELS)/bin/python" tests/models/reference.py "$(HUAXIANG_MODELS_REFERENCE)"; \
	fi

# The SQL export's ClickHouse dialect against the engine, in an embedded ClickHouse (chdb: a 500 MB install, so it
# is not part of `make test`).
CHDB_VERSION := 4.4.0
PY_CHDB := $(TOOLS_DIR)/py-chdb
clickhouse-check: duckdb
	@if ! "$(PY_CHDB)/bin/python" -c 'import sys, chdb; sys.exit(chdb.__version__ != "$(CHDB_VERSION)")' 2>/dev/null; then \
	  echo "installing chdb $(CHDB_VERSION) from PyPI into $(PY_CHDB)"; \
	  python3 -m venv "$(PY_CHDB)" && "$(PY_CHDB)/bin/python" -m pip install --quiet --disable-pip-version-check "chdb==$(CHDB_VERSION)"; \
	fi
	HUAXIANG_CLICKHOUSE_PYTHON="$(PY_CHDB)/bin/python" cargo test --locked --test native -- sql:: --nocapture

# The SQL export's Spark dialect in a local Spark session: PySpark from PyPI into TOOLS_DIR and Debian's Java 17
# runtime (a large install, so not part of `make test`).
PYSPARK_VERSION := 4.3.0
PY_SPARK := $(TOOLS_DIR)/py-spark
spark-check: duckdb
	@command -v java >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y openjdk-17-jre-headless; }
	@if ! "$(PY_SPARK)/bin/python" -c 'import sys, pyspark; sys.exit(pyspark.__version__ != "$(PYSPARK_VERSION)")' 2>/dev/null; then \
	  echo "installing pyspark $(PYSPARK_VERSION) from PyPI into $(PY_SPARK)"; \
	  python3 -m venv "$(PY_SPARK)" && "$(PY_SPARK)/bin/python" -m pip install --quiet --disable-pip-version-check "pyspark==$(PYSPARK_VERSION)"; \
	fi
	HUAXIANG_SPARK_PYTHON="$(PY_SPARK)/bin/python" cargo test --locked --test native -- sql:: --nocapture

# Coverage-guided fuzzing (cargo fuzz, libFuzzer) of the CSV/JSON Lines/XLSX readers, value parsing, the rule
# compiler and the tag-pack importer: FUZZ_SECONDS each (default 60), seeded from tests/fixtures. Needs the nightly
# toolchain (installed here if missing) and cargo-fuzz (installed into TOOLS_DIR once). Crashes land in
# fuzz/artifacts/TARGET/; each one found becomes a file in tests/fixtures/fuzz/ that `make test` replays.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := csv_file jsonl_file xlsx_file values rules tag_pack
CARGO_FUZZ_ROOT := $(TOOLS_DIR)/cargo-fuzz
fuzz:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@[ -x "$(CARGO_FUZZ_ROOT)/bin/cargo-fuzz" ] || cargo install cargo-fuzz --locked --root "$(CARGO_FUZZ_ROOT)"
	@for t in $(FUZZ_TARGETS); do mkdir -p fuzz/corpus/$$t; done
	@cp tests/fixtures/*.csv tests/fixtures/formats/*.csv tests/fixtures/formats/*.tsv tests/fixtures/formats/*.txt fuzz/corpus/csv_file/ 2>/dev/null; \
	  cp tests/fixtures/formats/*.jsonl fuzz/corpus/jsonl_file/; cp tests/fixtures/formats/*.xlsx fuzz/corpus/xlsx_file/; \
	  cp tests/fixtures/rules/diagnostics/*.rule tests/sql/pack.rules fuzz/corpus/rules/ 2>/dev/null; true
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  (cd fuzz && PATH="$(CARGO_FUZZ_ROOT)/bin:$$PATH" cargo +nightly fuzz run $$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -print_final_stats=1 2>&1 | \
	    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|Test unit written|thread .* panicked)" ) || exit 1; \
	done

node-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# wasm-build OUT-DIR TARGET-DIR CARGO-FLAGS: the release wasm, bound by wasm-bindgen into OUT-DIR, then wasm-opt.
define wasm-build
	cargo build --locked --release --lib --target $(WASM_TARGET) --target-dir $(2) $(3)
	"$(WASM_BINDGEN)" --target web --out-dir $(1) $(2)/$(WASM_TARGET)/release/huaxiang.wasm
	@if [ -x node_modules/.bin/wasm-opt ]; then \
	  node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
	    $(1)/huaxiang_bg.wasm -o $(1)/huaxiang_bg.wasm; fi
endef

# The app's module: no `bench` feature, so pkg/huaxiang.js exports no benchmark helper (an e2e test checks it).
wasm: rust-target wasm-bindgen-cli
	$(call wasm-build,pkg,target,)

# The benchmarks' module: the same engine plus the `bench` feature's helpers (synthetic data, the generated pack),
# in its own target folder (switching features in one folder would rebuild the LTO'd module every time) and pkg-bench/.
wasm-bench: rust-target wasm-bindgen-cli node-deps
	$(call wasm-build,pkg-bench,target/bench,--features bench)

# The static site: www/ plus the generated pkg/ plus vendored npm modules. Any static host can serve dist/.
site: wasm node-deps
	node tools/site.mjs

# dist/ for any static host, under any sub-path (every URL in it is relative; tests/e2e/hosting.test.mjs serves it
# under /some/sub/path/); its service worker keeps the app for offline starts.
dist: site

serve: setup site
	node tools/serve.mjs dist $(PORT)

cli:
	cargo build --locked --bin huaxiang

lint: rust-target
	cargo fmt --all --check
	cargo clippy --locked --all-targets -- -D warnings
	cargo clippy --locked --lib --tests --target $(WASM_TARGET) -- -D warnings
	cargo clippy --locked --lib --target $(WASM_TARGET) --features bench -- -D warnings

native-test: duckdb models-reference
	cargo test --locked

wasm-test: rust-target wasm-bindgen-cli browser
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$(WB_TEST_RUNNER)" CHROMEDRIVER=$$(command -v chromedriver) \
	  WASM_BINDGEN_TEST_TIMEOUT=120 cargo test --locked --target $(WASM_TARGET) --test wasm

e2e: site cli
	node --test --test-concurrency=1 tests/e2e/

test: setup lint native-test wasm-test e2e
	@echo "all tests passed"

# Benchmarks print figures; they are not pass/fail tests. HUAXIANG_BENCH_GB sets the ingest file size (default 1);
# HUAXIANG_BENCH_MEMBERS / _ORDERS / _EVENTS / _TAGS size the tags benchmark (default 1M members, 10M orders, 300 tags).
# bench/duckdb.mjs is the side-by-side table of issue 6 (huaxiang vs DuckDB-WASM vs the native CLI: load, RFM, 100
# tags, 1,000 audience counts, 20 portraits, touch-every-byte baseline, memory; docs/performance.md), run once per
# size in BENCH_SIZES (members; about 10 orders and 30 events each); HUAXIANG_BENCH_RUNS (default 3) runs per size.
# bench/snapshot.mjs times opening the app and reopening a 1M-member data snapshot against loading its CSV files.
BENCH_SIZES ?= 100000 1000000
bench: setup site wasm-bench bench-deps
	cargo build --locked --release --bin huaxiang
	node bench/run.mjs
	node bench/snapshot.mjs
	cargo bench --locked --bench tags
	cargo bench --locked --bench models
	node bench/tags.mjs
	node bench/catalog.mjs
	for n in $(BENCH_SIZES); do HUAXIANG_BENCH_MEMBERS=$$n node bench/duckdb.mjs || exit 1; done

# The command line at warehouse scale (issue 17; not part of `make bench`: it generates about 8 GB of CSV once and
# runs for many minutes): huaxiang profile/audience at SCALE_MEMBERS members (about 10 orders each) next to native
# DuckDB (the PyPI wheel, every core) on the same files, every result cross-checked (bench/scale.py, docs/scale.md).
SCALE_MEMBERS ?= 10000000
bench-scale: duckdb
	cargo build --locked --release --bin huaxiang
	HUAXIANG_SCALE_MEMBERS=$(SCALE_MEMBERS) "$(HUAXIANG_PYTHON)" bench/scale.py

# DuckDB-WASM (about 150 MB) for the side-by-side benchmark: its own package under bench/, so `make test` never installs it.
bench-deps: bench/node_modules/.package-lock.json

bench/node_modules/.package-lock.json: bench/package.json bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund
	@touch $@

clean:
	rm -rf target pkg pkg-bench dist
