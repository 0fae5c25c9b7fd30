# Early Help Navigator. Two commands for a newcomer: `make run` and `make test`.
# Each builds whatever is missing first (environments, knowledge base, Rasa model).
SHELL := /bin/bash
PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa

.PHONY: run run-scaled domain test test-fast setup knowledge check model validate pytest stories nlu-eval nlu-cv shell eval bench lint clean browser scaled-servers help retention

help:
	@echo "make run    set up what is missing, then start the assistant (SQLite default)"
	@echo "make test   set up what is missing, then run every test"
	@echo "make run-scaled  the scaled topology on this machine: PostgreSQL, Redis, 2 Rasa + 2 action servers, the API, HAProxy (docs/deployment.md)"
	@echo "make test-fast  the engine (with the cross-area matrix), knowledge, API and privacy tests: no Rasa, no model, under 2 minutes (the inner loop; docs/testing.md)"
	@echo "make shell  talk to the assistant in the terminal"
	@echo "make check  validate the knowledge packs and print coverage"
	@echo "make nlu-eval  intent F1 on a held-out 20% split (threshold 0.90; part of make test; NLU_SPLIT_SEED=n for another split)"
	@echo "make nlu-cv    intent F1 by 5-fold cross-validation (slow: five NLU trainings)"
	@echo "make eval   print the engine's accuracy against tests/eval/cases.yml"
	@echo "make bench  print engine, API and chat latency, overload and memory figures"
	@echo "make retention  delete conversations (CONVERSATION_RETENTION_DAYS) and advice records (AUDIT_RETENTION_DAYS) older than 400 days; run daily"

setup:
	@bash scripts/bootstrap.sh

knowledge: setup
	@$(PY) -m bot.knowledge load

check: setup
	@$(PY) -m bot.knowledge check

domain: setup  # domain/ is generated from the packs' vocabulary (bot.conversation.rasa_domain)
	@$(PY) -m bot.conversation.rasa_domain

model: domain
	@bash scripts/train.sh

validate: setup
	@$(PY) -m bot.conversation.rasa_domain --check
	@bash scripts/validate_rasa.sh

run: knowledge model
	@APP_ENV=development bash scripts/run.sh

# The scaled topology (docs/deployment.md); installs haproxy, redis-server and postgresql when missing.
run-scaled: setup model
	@APP_ENV=development bash scripts/run_scaled.sh

pytest: setup
	@$(PY) -m pytest -q --durations=15

# The inner loop: everything that needs no Rasa server and no trained model (tests/triage holds the
# cross-area matrix). Under 2 minutes on 2 cores; nothing here asks for the shared stack (docs/testing.md).
test-fast: setup
	@$(PY) -m pytest -q --durations=15 tests/triage tests/knowledge tests/api tests/eval tests/privacy tests/db tests/safety

browser:  # the web chat's browser tests need Debian's chromium (skipped, saying why, without it)
	@bash scripts/ensure_chromium.sh

scaled-servers:  # tests/scaled need haproxy, redis-server and postgresql (skipped, saying why, without them)
	@bash scripts/ensure_scaled.sh

stories: model
	@bash scripts/test_stories.sh

nlu-eval: domain
	@bash scripts/nlu_eval.sh

nlu-cv: setup
	@bash scripts/nlu_cv.sh

shell: knowledge model
	@bash scripts/shell.sh

# Training is about one core's work, so the model and the NLU evaluation's own model train side by
# side (about 80 s saved on a clean clone); the tests then run alone, as their timings assume.
test: setup check validate
	@$(MAKE) --no-print-directory -j2 --output-sync=target model nlu-eval
	@$(MAKE) --no-print-directory browser scaled-servers pytest stories

eval: knowledge
	@$(PY) -m bot.triage.evaluate

bench: knowledge model
	@$(PY) scripts/bench_assess.py
	@$(PY) scripts/bench_chat.py
	@$(PY) scripts/bench_api.py
	@$(PY) scripts/bench_overload.py

retention: setup  # daily from cron; ARGS="--dry-run" or ARGS="--days 30" to pass options
	@$(PY) -m bot.db.retention $(ARGS)
	@$(PY) -m bot.audit prune

lint: setup
	@.venv/bin/ruff check bot api actions tests scripts

clean:
	rm -rf var models .pytest_cache
