"""docker-compose.yml, the Dockerfile and .env.example: the shape the issue asks for, validated
with `docker-compose config` where it is installed (no Docker engine is needed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import REPO


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    found = compose["services"][name]
    assert isinstance(found, dict)
    return found


def test_docker_compose_config_accepts_the_file() -> None:
    command = shutil.which("docker-compose")
    if command is None:
        pytest.skip("docker-compose is not installed (.ci/run installs it): `make compose-check`")
    env = {**os.environ, "K8SQ_ENV_FILE": ".env.example"}
    result = subprocess.run(
        [command, "--env-file", ".env.example", "config"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    web = resolved["services"]["web"]
    assert web["environment"]["DATABASE_URL"] == (
        "postgresql+psycopg://k8sq:change-me@db:5432/k8sq"
    )
    assert web["environment"]["SLACK_API_URL"] == "https://slack.com/api/", "read from the env file"


def test_the_roles_and_their_order(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"db", "migrate", "web", "scheduler", "socket", "proxy"}
    assert service(compose, "migrate")["command"] == ["db", "upgrade"]
    assert service(compose, "migrate")["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "scheduler", "socket"):
        needs = service(compose, name)["depends_on"]
        assert needs["migrate"] == {"condition": "service_completed_successfully"}
    assert service(compose, "web")["command"] == ["run", "--mode", "http", "--role", "web"]
    assert service(compose, "scheduler")["command"] == ["run", "--role", "scheduler"]
    assert service(compose, "socket")["profiles"] == ["socket"]


def test_only_the_proxy_publishes_a_port_and_the_scheduler_cannot_be_scaled(
    compose: dict[str, Any],
) -> None:
    published = [name for name, svc in compose["services"].items() if svc.get("ports")]
    assert published == ["proxy"]
    assert len(service(compose, "proxy")["ports"]) == 1
    assert "container_name" in service(compose, "scheduler")
    assert "container_name" not in service(compose, "web")
    caddyfile = (REPO / "deploy" / "Caddyfile").read_text()
    assert re.search(r"dynamic a web 3000", caddyfile), "every web replica, found by DNS"


def test_each_service_checks_its_health_its_own_way(compose: dict[str, Any]) -> None:
    tests = {
        name: " ".join(svc["healthcheck"]["test"])
        for name, svc in compose["services"].items()
        if "healthcheck" in svc
    }
    assert "pg_isready" in tests["db"]
    assert tests["web"] == "CMD k8sq health --role web"
    assert tests["scheduler"] == "CMD k8sq health --role scheduler"
    assert tests["socket"] == "CMD k8sq health --role socket"
    assert "proxy" in tests
    assert "migrate" not in tests, "a one-shot job has no health"


def test_the_database_keeps_its_data_in_a_named_volume(compose: dict[str, Any]) -> None:
    assert "pgdata:/var/lib/postgresql/data" in service(compose, "db")["volumes"]
    assert "pgdata" in compose["volumes"]


def test_the_image_is_small_non_root_with_tzdata_and_the_bank() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    final = dockerfile.split("\nFROM ")[-1]
    assert final.startswith("python:3.11-slim")
    assert re.search(r"^USER k8sq$", final, re.M)
    assert "tzdata" in final
    assert "COPY questions ./questions" in dockerfile
    assert "k8sq questions check" in dockerfile, "a broken bank fails the build"
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "tests"} <= set(ignored)


def settings_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "bot").rglob("*.py"):
        names |= set(
            re.findall(
                r"\b((?:K8SQ|SLACK)_[A-Z_]+[A-Z]|DATABASE_URL|WEB_CONCURRENCY)\b", path.read_text()
            )
        )
    not_settings = {"SLACK_SETTING_SOURCES", "SLACK_BOT_SCOPES"}
    return {n for n in names if n not in not_settings and not n.endswith("_PATH")}


def test_env_example_lists_and_explains_every_setting() -> None:
    text = (REPO / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.M))
    missing = settings_read_by_the_code() - listed - {"PORT"}
    assert not missing, f".env.example does not mention {sorted(missing)}"
    assert "PORT" in listed
    lines = text.splitlines()
    setting = re.compile(r"^#? ?[A-Z][A-Z0-9_]+=")
    for at, line in enumerate(lines):
        if setting.match(line):
            above = at - 1
            while above >= 0 and setting.match(lines[above]):
                above -= 1  # a group of settings shares the comment above it
            assert above >= 0 and lines[above].startswith("#"), f"{line} has no comment above"


def test_compose_interpolations_are_in_env_example(compose: dict[str, Any]) -> None:
    raw = (REPO / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", raw)) - {"COMPOSE_PROJECT_NAME"}
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text(), re.M))
    assert used - listed == {"K8SQ_ENV_FILE"}, "only the check's own variable is not a setting"


def test_the_makefile_runs_the_compose_check_in_make_test() -> None:
    makefile = Path(REPO / "Makefile").read_text()
    test_line = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "compose-check" in test_line.split()
    assert "SKIPPED" in makefile
