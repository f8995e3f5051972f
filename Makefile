# Every target creates or refreshes .venv first, so a fresh clone needs only Python 3.11 and make
# (and a C compiler for the compiled grader; without one, the grader runs as pure Python).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
STAMP := $(VENV)/.installed
# When a module of bot.domain changes (the compiled ones, bot.domain.GRADER_MODULES, are among
# them), the grader is compiled again, so that what runs (and what `make test` tests) is the code
# as it is now. All of them rather than a second copy of that list: a rebuild too many is cheap.
GRADER := $(wildcard bot/domain/*.py)
GRADER_STAMP := $(VENV)/.grader-built
INSTALLED := $(GRADER_STAMP)

.PHONY: install run test lint typecheck bank compose-check pytest bench reliability clean

# The build requirements go into .venv first, so pip builds the package there
# (--no-build-isolation) instead of in a new environment of its own at every install.
# The grader is compiled in the next step, once mypy can see the dependencies it type-checks.
$(STAMP): pyproject.toml setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' >$(VENV)/build-requirements.txt
	$(PIP) install -r $(VENV)/build-requirements.txt
	K8SQ_PURE_PYTHON=1 $(PIP) install --no-build-isolation -e '.[dev]'
	@touch $(STAMP)

# In place, beside the sources; says in one line when it leaves the grader pure Python.
$(GRADER_STAMP): $(STAMP) $(GRADER)
	$(BIN)/python setup.py --quiet build_ext --inplace
	@touch $(GRADER_STAMP)

install: $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/k8sq db upgrade
	$(BIN)/k8sq run

lint: $(INSTALLED)
	$(BIN)/ruff check setup.py bot tests bench alembic
	$(BIN)/ruff format --check setup.py bot tests bench alembic

typecheck: $(INSTALLED)
	$(BIN)/mypy

bank: $(INSTALLED)
	$(BIN)/k8sq questions check

pytest: $(INSTALLED)
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

bench: $(INSTALLED)
	$(BIN)/python -m bench

# The reliability suite at full size (kills, Slack and database faults, the 9:30 burst,
# duplicates, hostile requests), its figures printed at the end; `make test` runs it small.
reliability: $(INSTALLED)
	K8SQ_RELIABILITY=full \
	K8SQ_TEST_POSTGRES_URL="$${K8SQ_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
	$(BIN)/pytest -q tests/reliability

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build
	rm -f bot/domain/*.so bot/domain/compiled_grader.sha256
