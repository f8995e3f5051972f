# Every target creates or refreshes .venv first, so a fresh clone needs only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck bank compose-check pytest bench reliability clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/k8sq db upgrade
	$(BIN)/k8sq run

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench alembic
	$(BIN)/ruff format --check bot tests bench alembic

typecheck: $(STAMP)
	$(BIN)/mypy

bank: $(STAMP)
	$(BIN)/k8sq questions check

pytest: $(STAMP)
	$(BIN)/pytest -q

# Validates docker-compose.yml with .env.example; no Docker engine needed. Skipped, saying
# so, where neither docker-compose nor the docker compose plugin is installed.
compose-check:
	@if command -v docker-compose >/dev/null 2>&1; then \
		K8SQ_ENV_FILE=.env.example docker-compose --env-file .env.example config --quiet \
		&& echo "compose-check: docker-compose.yml is valid (docker-compose config)"; \
	elif docker compose version >/dev/null 2>&1; then \
		K8SQ_ENV_FILE=.env.example docker compose --env-file .env.example config --quiet \
		&& echo "compose-check: docker-compose.yml is valid (docker compose config)"; \
	else \
		echo "compose-check: SKIPPED: docker-compose is not installed (.ci/run installs it; apt-get install docker-compose)"; \
	fi

test: lint typecheck bank compose-check pytest

bench: $(STAMP)
	$(BIN)/python -m bench

# The reliability suite at full size (kills, Slack and database faults, the 9:30 burst,
# duplicates, hostile requests), its figures printed at the end; `make test` runs it small.
reliability: $(STAMP)
	K8SQ_RELIABILITY=full \
	K8SQ_TEST_POSTGRES_URL="$${K8SQ_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
	$(BIN)/pytest -q tests/reliability

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
