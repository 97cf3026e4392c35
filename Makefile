# The two commands: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
BOT := .venv/bin/bot

.PHONY: run cluster test test-fast lint setup system validate index train bench bench-input bench-abuse bench-large bench-load bench-faults bench-payload nlu-cv clean

run: index train ## set up on first use, then serve the bot on the embedded defaults
	@.venv/bin/python scripts/stack.py

RASA ?= 2
ACTIONS ?= 2
cluster: index train ## RASA Rasa replicas and ACTIONS action servers on PostgreSQL and Redis, behind nginx on :8080
	@.venv/bin/python scripts/cluster.py --rasa $(RASA) --actions $(ACTIONS)

test: lint system index train ## every check the project has
	@.venv/bin/python -m pytest

lint: setup ## ruff check, ruff format --check and mypy on bot/ and replies/ (`ruff format .` fixes the format)
	@.venv/bin/python -m ruff check .
	@.venv/bin/python -m ruff format --check .
	@.venv/bin/python -m mypy bot replies

test-fast: index ## the unit tests alone: no servers, browsers, Rasa tools or whole-set evaluations (pytest -m "not e2e and not slow")
	@.venv/bin/python -m pytest -m "not e2e and not slow"

setup: ## create or update both virtual environments (seconds when nothing changed)
	@scripts/setup.sh

system: ## Debian packages the tests need (Chromium, PostgreSQL, Redis, nginx), installed if missing; starts PostgreSQL
	@scripts/system.sh

validate: setup ## validate the answer corpus
	@$(BOT) validate

index: validate ## rebuild the embedding index when the corpus or model changed
	@$(BOT) index

train: setup ## retrain Rasa when its data or config changed
	@scripts/train.sh

bench: index train ## print latency and start-up figures
	@.venv/bin/python bench/run.py

bench-input: setup ## work per message against its length, for every pattern over patient text
	@.venv/bin/python bench/input_bounds.py

bench-abuse: index train ## what a patient sees during attacks (oversized, pattern bombs) and action-server faults
	@.venv/bin/python bench/abuse.py

bench-large: setup ## index build, size, memory, latency and recall at 10k/100k/1M vectors (about 15 min)
	@.venv/bin/python bench/large.py

bench-load: index train ## open-loop load (5-40 messages/s) on make run, make cluster and a bare Rasa bot (about 15 min)
	@.venv/bin/python bench/load.py

bench-faults: system index train ## make cluster under 10 messages/s while a Rasa replica, an action server, Redis and PostgreSQL fail (about 6 min)
	@.venv/bin/python bench/faults.py

bench-payload: train ## bytes Rasa sends the action server per turn, full events against slim ones
	@.venv/bin/python bench/action_payload.py

nlu-cv: setup ## 3-fold cross-validation of the NLU pipeline: intent macro F1 and entity F1 (trains Rasa 3 times, about 30 min)
	@.venv/bin/python scripts/nlu_cv.py

clean: ## remove built outputs (keeps the virtual environments)
	rm -rf var
