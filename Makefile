# Early Help Navigator. Two commands for a newcomer: `make run` and `make test`.
# Each builds whatever is missing first (environments, knowledge base, Rasa model).
SHELL := /bin/bash
PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa

.PHONY: run test setup knowledge check model validate pytest eval bench lint clean help

help:
	@echo "make run    set up what is missing, then start the assistant (SQLite default)"
	@echo "make test   set up what is missing, then run every test"
	@echo "make check  validate the knowledge packs and print coverage"
	@echo "make eval   print the engine's accuracy against tests/eval/cases.yml"
	@echo "make bench  print engine and API latency figures"

setup:
	@bash scripts/bootstrap.sh

knowledge: setup
	@$(PY) -m bot.knowledge load

check: setup
	@$(PY) -m bot.knowledge check

model: setup
	@bash scripts/train.sh

validate: setup
	@$(RASA) data validate --fail-on-warnings --quiet >/dev/null && echo "rasa data validate: clean"

run: knowledge model
	@APP_ENV=development bash scripts/run.sh

pytest: setup
	@$(PY) -m pytest -q

test: setup check validate model pytest

eval: knowledge
	@$(PY) -m bot.triage.evaluate

bench: knowledge
	@$(PY) scripts/bench_assess.py

lint: setup
	@.venv/bin/ruff check bot api actions tests scripts

clean:
	rm -rf var models .pytest_cache
