# safeschool — two commands do all the set-up:  make demo  and  make test
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
CHROMIUM ?= /usr/bin/chromium

.PHONY: install demo test lint browser java postgres bench clean vendor messages screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv (Python 3.11) and install safeschool with its dev extras

demo: install  ## build the SQLite database, simulate + load the default cohort, print logins, serve on :8000
	$(BIN)/safeschool demo

browser:  ## Debian's chromium for the browser tests (apt-get when missing)
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi
	@$(CHROMIUM) --version

java:  ## Debian's Java for the Spark engine's tests (apt-get default-jre-headless when java is missing)
	@if ! command -v java >/dev/null 2>&1; then \
		echo "Installing Debian's default-jre-headless for the Spark engine…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq default-jre-headless >/dev/null; \
	fi
	@java -version 2>&1 | head -1

lint: install
	$(BIN)/ruff check src tests benchmarks

postgres:  ## Debian's PostgreSQL server binaries for the PostgreSQL pass of the tests (apt-get when missing)
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "Installing Debian's PostgreSQL for the tests' PostgreSQL pass…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; \
	fi
	@ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1

PG_TEST_PORT ?= 54329
# Two passes: the whole suite on SQLite, then the tests that touch the database (--db-only) on a throwaway
# PostgreSQL cluster (tools/pg-throwaway), stopped and removed whatever happens. Fails if either pass fails
# (pytest's exit 5, no test collected, is a failure too).
test: install browser postgres lint java  ## install what the tests need and run the suite on SQLite and on PostgreSQL
	@echo "== pass 1/2: the whole suite on SQLite"; \
	$(BIN)/pytest -n 2; sqlite=$$?; \
	if [ $$sqlite -eq 5 ]; then echo "SQLite pass: pytest collected no tests: failing"; sqlite=1; fi; \
	echo "== pass 2/2: the database tests on PostgreSQL (throwaway cluster on port $(PG_TEST_PORT))"; \
	pgdir=$$(mktemp -d); trap 'tools/pg-throwaway stop "$$pgdir"' EXIT; trap 'exit 130' INT TERM HUP; \
	if url=$$(tools/pg-throwaway start "$$pgdir" $(PG_TEST_PORT)); then \
		DATABASE_URL=$$url $(BIN)/pytest -n 2 --db-only; pg=$$?; \
		if [ $$pg -eq 5 ]; then echo "PostgreSQL pass: pytest collected no tests: failing"; pg=1; fi; \
	else echo "PostgreSQL pass: the throwaway cluster did not start"; pg=1; fi; \
	echo "== SQLite pass: exit $$sqlite; PostgreSQL pass: exit $$pg"; \
	[ $$sqlite -eq 0 ] && [ $$pg -eq 0 ]

screenshots: install browser  ## the README tour as each role at 1366 and 390 px: var/screenshots/<width>/<role>-<page>.png + index.html
	$(BIN)/python -m safeschool.cli.screenshots

bench: install  ## side-by-side benchmarks (figures go in docs/performance.md)
	$(BIN)/python benchmarks/bench_load.py

LANGS := es it pt el ro pl
messages:  ## refresh every catalogue after changing UI strings (needs Debian's gettext), then translate and compile
	cd src/safeschool && for l in $(LANGS); do SAFESCHOOL_SECRET_KEY=$${SAFESCHOOL_SECRET_KEY:-catalogues-only} ../../$(BIN)/python -m django makemessages -l $$l -i "*/migrations/*" -i "cli/*" --no-obsolete --settings=safeschool.web.settings; done
	cd src/safeschool/web && SAFESCHOOL_SECRET_KEY=$${SAFESCHOOL_SECRET_KEY:-catalogues-only} ../../../$(BIN)/python -m django compilemessages --settings=safeschool.web.settings

vendor:  ## refresh the vendored front-end packages from npm (versions in package.json)
	rm -rf /tmp/safeschool-vendor && mkdir -p /tmp/safeschool-vendor && cp package.json /tmp/safeschool-vendor/
	cd /tmp/safeschool-vendor && npm install --silent --no-audit --no-fund
	cp /tmp/safeschool-vendor/node_modules/vega/build/vega.min.js \
	   /tmp/safeschool-vendor/node_modules/vega-lite/build/vega-lite.min.js \
	   /tmp/safeschool-vendor/node_modules/vega-embed/build/vega-embed.min.js \
	   /tmp/safeschool-vendor/node_modules/htmx.org/dist/htmx.min.js \
	   /tmp/safeschool-vendor/node_modules/@picocss/pico/css/pico.min.css src/safeschool/web/core/static/vendor/
	cp /tmp/safeschool-vendor/node_modules/axe-core/axe.min.js tests/browser/vendor/

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
