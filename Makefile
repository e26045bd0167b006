# The two commands: `make run` and `make test`. Both set up a fresh machine by themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM := /usr/lib/chromium/chromium

.PHONY: run test serve worker lint bench docs i18n install system-deps axe clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: create the database, print the catalog, run the whole scenario library
run: install
	$(BIN)/icpsim db upgrade
	$(BIN)/icpsim catalog
	$(BIN)/icpsim run scenarios/library
	$(BIN)/icpsim simulate simulations/quiet-month.yaml --out simulation-out/quiet-month
	$(BIN)/icpsim simulate simulations/busy-quarter.yaml --out simulation-out/busy-quarter

## test: lint, type-check and every test (unit, integration, web, browser, scenarios)
test: install system-deps axe lint
	$(BIN)/pytest -n 2

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy workflow notify web scenarios

## serve: the web console with the scheduler and the embedded mail sink
serve: install
	$(BIN)/icpsim serve

worker: install
	$(BIN)/icpsim worker

## docs: regenerate the generated parts of README.md and docs/ (a test keeps them in sync)
docs: install
	$(BIN)/python -m workflow.diagram --write-readme
	$(BIN)/python -m scenarios.reference --write

## i18n: extract the console's strings, merge them into the Chinese catalog, compile it
## (the .mo is committed beside the .po; tests/unit/test_translations.py checks both)
I18N := web/translations
i18n: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --no-wrap \
	  --sort-output --project icpsim -o $(I18N)/messages.pot .
	$(BIN)/pybabel -q update -i $(I18N)/messages.pot -d $(I18N) -l zh --init-missing \
	  --no-fuzzy-matching --ignore-obsolete --no-wrap
	$(BIN)/pybabel -q compile -d $(I18N) -l zh

## bench: the benchmark scripts (figures as ratios to a baseline measured in the same run)
bench: install
	$(BIN)/python bench/bench_transitions.py
	$(BIN)/python bench/bench_delivery.py
	$(BIN)/python bench/bench_channels.py
	$(BIN)/python bench/bench_scenarios.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_simulate.py

# Browser tests drive Debian's Chromium and a few tests start a throwaway PostgreSQL
# cluster; the Chinese screenshots need a CJK font. Install them when we may (root),
# else those tests skip.
system-deps:
	@missing=""; \
	test -x $(CHROMIUM) || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	ls /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc >/dev/null 2>&1 || \
	  missing="$$missing fonts-wqy-zenhei"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "note: missing$$missing; their tests will be skipped (apt-get install$$missing)"; fi; \
	fi

# The accessibility checker the browser tests inject (axe-core, pinned in the lock file).
AXE := tests/browser/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund -s \
	  && touch $@; else echo "note: npm is missing; the accessibility checks use their own rules only"; fi

clean:
	rm -rf $(VENV) instance test-artifacts simulation-out *.egg-info tests/browser/node_modules
