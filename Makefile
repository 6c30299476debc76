# Two entry points for a fresh Debian/Ubuntu machine with Python 3.11:
#   make run   - install everything, build the index from the shipped corpus, start the chat
#   make test  - install everything and run the test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
OFFLINE := HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False GRADIO_ANALYTICS_ENABLED=False

.PHONY: install browser run test lint index bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and exactly this version: any other spec pulls gigabytes of CUDA packages.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

index: install
	$(OFFLINE) $(BIN)/python -m index build

run: index
	$(OFFLINE) $(BIN)/python app.py --host 127.0.0.1 --port 7860

# Debian's chromium for the real-browser test (needs root, as on CI; skipped otherwise).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "chromium not installed (not root): the browser test will be skipped"

test: install browser
	$(OFFLINE) $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

bench: index
	$(OFFLINE) $(BIN)/python -m bench

clean:
	rm -rf $(VENV) data
