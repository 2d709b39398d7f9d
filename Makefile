.PHONY: run test check lint bench clean-demo

run:  ## install what is missing, start everything with the demo city
	bash scripts/run.sh

test:  ## the whole test suite on real PostgreSQL, Redis, Celery and Chromium
	bash scripts/test.sh $(ARGS)

check:  ## ruff and migration drift
	bash scripts/check.sh

lint:
	.venv/bin/ruff check .
