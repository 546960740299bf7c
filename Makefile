# Anchorstep: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
export PYTHONPATH := $(CURDIR)

.PHONY: run test install dev migrate worker bench clean-data help screenshots catalogs catalogs-extract catalogs-update

help:
	@echo "make run    set up, migrate, seed the demo practice (empty SQLite only), start the app and the worker"
	@echo "make test   run the whole test suite (SQLite, PostgreSQL, AppTest, Chromium)"
	@echo "make bench  run the benchmark harness"
	@echo "make catalogs-update  extract the client words into locale/messages.pot and merge them into every language"
	@echo "make catalogs         compile every language's catalog (run and test do this)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
dev: $(VENV)/.dev

migrate: install
	$(BIN)/python -m db migrate

# Starts the app and the reminder worker; Ctrl-C stops both. Both get PORT: the app serves on it and
# the links both make (LINK_BASE_URL's default, http://localhost:PORT) point at it.
# Client languages (docs/languages.md): words are extracted from the client templates and from Python's
# N_() marks, merged into each locale/<code>/LC_MESSAGES/messages.po, and compiled to .mo (not committed).
PYBABEL := $(BIN)/pybabel
catalogs-extract: install
	$(PYBABEL) extract -F babel.cfg -k N_ --add-comments=Translators: --sort-by-file --width 120 \
	  --project Anchorstep --copyright-holder "Anchorstep contributors" -o locale/messages.pot .

catalogs-update: catalogs-extract
	$(PYBABEL) update -i locale/messages.pot -d locale --width 120 --ignore-obsolete

catalogs: install
	$(PYBABEL) compile -d locale --statistics

run: install catalogs
	@PORT=$(PORT) $(BIN)/python -m db migrate
	@PORT=$(PORT) $(BIN)/python -m demo seed --if-empty
	@echo "Starting Anchorstep on http://localhost:$(PORT)  (Ctrl-C stops everything)"
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	PORT=$(PORT) $(BIN)/python -m jobs.worker & \
	PORT=$(PORT) $(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true \
	  --browser.gatherUsageStats false --server.fileWatcherType none & \
	wait

test: dev catalogs
	$(BIN)/python -m pytest

bench: dev catalogs
	$(BIN)/python -m bench

clean-data:
	rm -rf data/anchorstep.db data/anchorstep.db-wal data/anchorstep.db-shm data/demo-credentials.txt data/outbox

screenshots: dev
	$(BIN)/python -m tests.e2e.make_screenshots
