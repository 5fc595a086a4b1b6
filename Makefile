# neurona: `make run` sets up, trains the seed-000 MLP on MNIST and writes its run folder and
# report; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The shared datasets beside the project, unless NEURONA_DATA_DIR already points elsewhere.
NEURONA_DATA_DIR ?= $(abspath ../shared/data)
export NEURONA_DATA_DIR

.PHONY: install run test test-fast examples bench bench-short bench-best bench-serve lint clean

# pip at its quietest (-qq): errors only, so an install says nothing unless it fails (the
# machine's own pip configuration may name package folders that do not exist, and pip warns).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --upgrade pip
	$(BIN)/pip install -qq -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/neurona train seed000

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

examples: $(STAMP)
	for script in examples/seed00*.py; do $(BIN)/python $$script || exit 1; done

# Trains every benchmark configuration (the MLPs A-E and the MNIST convnet G) in neurona (Numba
# kernels and NumPy reference path), PyTorch and Keras (installs the `bench` extra: about 1 GB),
# times prediction with the C and G models, measures neurona's start-up and epoch drift, and
# rewrites the results section of BENCHMARKS.md. Takes 30-40 minutes.
bench: $(STAMP)
	$(BIN)/pip install -qq -e '.[bench]'
	$(BIN)/python -m benchmarks.harness --repeats 3 --write BENCHMARKS.md

# The best recipes (mnist-best, fashion-best) in full over seeds 0, 1 and 2, one run after
# another, with the table of their accuracies and minutes written into BENCHMARKS.md. Takes
# about 90 minutes.
bench-best: $(STAMP)
	$(BIN)/python -m benchmarks.best_recipes --seeds 0,1,2 --write BENCHMARKS.md

# A few minutes' check of the same harness: config A and the convnet's first 100 steps (G100)
# once, neurona on both kernel paths; prints the results section and writes nothing.
bench-short: $(STAMP)
	$(BIN)/python -m benchmarks.harness --short

# `neurona serve` under load: 16 keep-alive clients x 2,000 PNG requests each on loopback, the
# seed-003 MLP (trained first into runs/bench-serve-seed003 when missing); prints req/s, p50, p99.
bench-serve: $(STAMP)
	$(BIN)/python -m benchmarks.serve_load --clients 16 --requests 2000 --processes 2

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
