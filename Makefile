# Kakehashi: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Tests run with DEBUG off, as in production, so they need a (throwaway) key.
TEST_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=tests-only-not-a-secret-$(shell echo kakehashi | md5sum | cut -c1-24)

.PHONY: run setup db messages test test-fast e2e lint format check-deploy bench bench-browser bench-national bench-imports drills clean

run: setup db
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

setup: $(BIN)/.installed node_modules/.installed

# from the npm registry, pinned by package-lock.json: plotly.js's basic bundle (served to chart pages
# without a map, core/staticfiles.py) and test-only axe-core (the accessibility browser test)
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: chart pages load the full plotly.js bundle; the accessibility test needs axe-core"; fi

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

messages: setup
	DJANGO_DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null

db: setup messages
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=true $(BIN)/python manage.py seed_demo

test: setup messages
	$(TEST_ENV) $(BIN)/pytest $(ARGS)

test-fast: setup messages
	$(TEST_ENV) $(BIN)/pytest -m "not e2e" $(ARGS)

e2e: setup messages
	$(TEST_ENV) $(BIN)/pytest -m e2e $(ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: setup
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=kakehashi.example.jp $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: setup messages
	$(TEST_ENV) $(BIN)/python bench/export_memory.py
	$(TEST_ENV) $(BIN)/python bench/pages.py

# Chart pages in Debian's Chromium against gunicorn in production mode (issue 13 item 3): bytes on a first
# and a repeat load, time to the first chart drawn; numbers in bench/results/browser.txt.
bench-browser: setup messages
	$(BIN)/python bench/browser.py

# National scale (issue 13): a fresh PostgreSQL database kakehashi_bench, the seed measured, then the
# synthetic national dataset (manage.py generate_national) measured; numbers in bench/results/.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kakehashi_bench
BENCH_CACHE_URL ?= redis://127.0.0.1:6379/7
BENCH_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only-not-a-secret DATABASE_URL=$(BENCH_DATABASE_URL) \
	CACHE_URL=$(BENCH_CACHE_URL) BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_CACHE_URL=$(BENCH_CACHE_URL)
bench-national: setup messages
	mkdir -p bench/results
	$(BENCH_ENV) $(BIN)/python bench/national.py prepare
	$(BENCH_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(BENCH_ENV) $(BIN)/python manage.py seed_demo --force >/dev/null
	$(BENCH_ENV) $(BIN)/python bench/national.py measure --no-import --save bench/results/seed.json \
		--report bench/results/seed.txt
	$(BENCH_ENV) $(BIN)/python manage.py generate_national
	$(BENCH_ENV) $(BIN)/python bench/national.py measure --seed bench/results/seed.json --save bench/results/national.json \
		--report bench/results/national.txt

# Import confirms (issue 13 item 5): 5,000 and 50,000 budget lines created, then changed, through the
# views on PostgreSQL (a template database with the national dataset, copied per run; bench/imports.py).
bench-imports: setup messages
	$(BIN)/python bench/imports.py prepare
	$(BIN)/python bench/imports.py measure --save bench/results/imports.json --report bench/results/imports.txt

# Drills (issue 12): production mode (gunicorn, PostgreSQL, Redis on 127.0.0.1) under load, outages, a
# killed worker, hostile input and dump/restore; one line per drill, non-zero exit if any fails.
# One drill: make drills DRILL=load (names: load postgres-restart redis-down kill-mid-import
# hostile-inputs dump-restore).
drills: setup messages
	$(BIN)/python drills/run.py $(DRILL)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache .ruff_cache
