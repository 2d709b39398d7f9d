.PHONY: run test check lint bench clean-demo

run:  ## install what is missing, start everything with the demo city
	bash scripts/run.sh

test:  ## the whole test suite on real PostgreSQL, Redis, Celery and Chromium
	bash scripts/test.sh $(ARGS)

check:  ## ruff and migration drift
	bash scripts/check.sh

bench:  ## every benchmark on the million-account city (built if missing); not part of test
	bash scripts/bench.sh $(ARGS)

lint:
	.venv/bin/ruff check .
