# AstraTrade developer commands. `make help` lists them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# More workers than cores: the end-to-end tests spend much of their time waiting on the
# servers they start (measured on 2 cores: 2 workers 1,100-1,280 s, 3 workers 844 s). Four
# gained nothing on a machine already CPU-bound at 3 (1,095 against 1,100 s) and starved
# the shard leases' renewals into timing failures.
PYTEST_WORKERS ?= 3

.DEFAULT_GOAL := help
.PHONY: help install run test check lint bench load chaos soak schemas docs clean web monitoring mutate

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the platform with its dev tools

# The web client (web/, Node 20+): rebuilt only when its sources or lock file changed.
WEB_STAMP := web/dist/.built
WEB_DEPS := web/node_modules/.installed
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
	web/package.json web/vite.config.ts web/tsconfig.json
NODE_OK := $(shell node -e 'process.exit(parseInt(process.versions.node) >= 20 ? 0 : 1)' \
	2>/dev/null && command -v npm >/dev/null && echo yes)

web: ## build the web client into web/dist (needs Node 20+; skipped without it)
ifeq ($(NODE_OK),yes)
	@$(MAKE) --no-print-directory $(WEB_STAMP)
else
	@echo "make web: Node.js 20+ and npm not found, the web client is not built;"
	@echo "          the platform still runs and / explains how to build the client."
endif

$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(WEB_STAMP): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npm run build
	@touch $@

run: $(STAMP) web ## build the web client if needed, start the platform on http://127.0.0.1:8000
	$(BIN)/astratrade serve

test: $(STAMP) web ## run the whole test suite (unit, integration, e2e, browser)
	@# Compiled once here: each of the ~150 processes the suite starts would otherwise
	@# compile the platform's sources again where PYTHONDONTWRITEBYTECODE is set.
	@$(BIN)/python -m compileall -q src
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

check: $(STAMP) ## ruff, mypy strict and the import-linter contracts
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP) ## hot-path benchmarks beside the floor they sit on
	$(BIN)/python -m bench.orders_http
	$(BIN)/python -m bench.request_path
	$(BIN)/python -m bench.tick_processing
	$(BIN)/python -m bench.events_pipeline
	$(BIN)/python -m bench.leaderboards
	$(BIN)/python -m bench.reconciliation
	$(BIN)/python -m bench.ws_fanout
	$(BIN)/python -m bench.orders_gateway
	$(BIN)/python -m bench.orders_replicas
	$(BIN)/python -m bench.ws_session_checks
	$(BIN)/python -m bench.social_feed
	$(BIN)/python -m bench.social_fanout
	$(BIN)/python -m bench.copy_leaders
	$(BIN)/python -m bench.copy_fills
	$(BIN)/python -m bench.analytics_report
	$(BIN)/python -m bench.candles

# The platform under a crowd (docs/load.md): reports and plots in var/load/.
MODE ?= embedded
MINUTES ?= 5
load: $(STAMP) ## step a Locust crowd up until p99 > 200 ms or errors > 0.1 % (MODE=distributed)
	$(BIN)/python -m bench.load.steps --mode $(MODE)

chaos: $(STAMP) ## SIGKILL a service every 30 s under load (distributed); check orders, ledger, XP
	$(BIN)/python -m bench.load.chaos

soak: $(STAMP) ## MINUTES of the mix at half the capacity; no process may grow > 10 %
	$(BIN)/python -m bench.load.soak --minutes $(MINUTES) --mode $(MODE)

schemas: $(STAMP) ## regenerate docs/events from the event classes
	$(BIN)/python -m astratrade.events_catalog --write

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) var/*.db .pytest_cache .mypy_cache .ruff_cache

monitoring: $(STAMP) ## regenerate the Grafana dashboards and the PrometheusRule from deploy/monitoring
	$(BIN)/python deploy/monitoring/generate.py

docs: $(STAMP) ## regenerate docs/configuration.md from the settings
	$(BIN)/python -m astratrade.configuration_doc --write

MUTATION_EXAMPLES ?= 30
MUTATION_CHILDREN ?= 1
mutate: $(STAMP) ## mutation testing of the money domains (PACKAGE=trading: one), report in var/
	ASTRATRADE_MUTATION_EXAMPLES=$(MUTATION_EXAMPLES) nice -n 10 \
		$(BIN)/python -m bench.mutation_report --run --children $(MUTATION_CHILDREN) $(PACKAGE)
