"""The deployment files against the code they deploy (no Docker engine needed).

docker-compose.yml: every command of our image is a ``cmeledger`` verb with options its parser
accepts, every ``CMELEDGER_*`` variable is a setting and the whole environment loads, every
service has a health check or says why not, and ``depends_on`` waits on something that can say
it is ready. Dockerfile: every path it copies from the repository exists, the portal's htmx lands
where the portal serves it from, and the final stage runs as a non-root user with a health check.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from services.api.portal.pages import HTMX_DIST
from services.core.settings import Settings, env_name, load_settings
from services.main import main

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = "/app"  # WORKDIR of the image
IMAGE = "cmeledger:local"
_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::?-(?P<default>[^}]*))?\}")
SETTING_VARIABLES = {env_name(field) for field in Settings.__struct_fields__}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def own_services() -> dict[str, dict[str, Any]]:
    """The services that run our image."""
    return {
        name: service
        for name, service in compose()["services"].items()
        if service.get("image") == IMAGE or "build" in service
    }


def substituted(value: str) -> str:
    """``value`` with each ``${NAME:-default}`` replaced by its default, as with no .env file."""
    return _VARIABLE.sub(lambda m: m.group("default") or "", value)


def test_the_stack_has_every_process() -> None:
    services = compose()["services"]
    commands = {name: service["command"][0] for name, service in own_services().items()}
    assert sorted(commands.values()) == ["migrate", "relay", "scheduler", "serve", "worker"]
    assert {"postgres", "rabbitmq", "mailpit", "localstripe"} <= set(services)


@pytest.mark.parametrize("name", sorted(own_services()))
def test_every_command_is_a_cmeledger_verb_its_parser_accepts(name: str) -> None:
    command = own_services()[name]["command"]
    assert isinstance(command, list), f"{name}: give the command as a list (exec form)"
    verb, *args = command
    parent = click.Context(main, info_name="cmeledger")
    subcommand = main.get_command(parent, verb)
    assert subcommand is not None, f"{name}: {verb!r} is not a cmeledger verb"
    subcommand.make_context(verb, list(args), parent=parent)  # raises on an unknown option


@pytest.mark.parametrize("name", sorted(own_services()))
def test_every_variable_is_a_setting_and_the_environment_loads(name: str) -> None:
    environment = {
        key: substituted(str(value))
        for key, value in own_services()[name].get("environment", {}).items()
    }
    unknown = sorted(set(environment) - SETTING_VARIABLES)
    assert not unknown, f"{name}: not settings: {unknown}"
    load_settings(environment)  # raises SettingsError naming a wrong value


def test_env_example_names_settings_and_every_variable_compose_reads() -> None:
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    read = set(_VARIABLE.findall((ROOT / "docker-compose.yml").read_text()))
    assert {name for name, _ in read} == example
    assert {v for v in example if v.startswith("CMELEDGER_")} <= SETTING_VARIABLES


@pytest.mark.parametrize("name", sorted(compose()["services"]))
def test_every_service_has_a_health_check_or_a_reason(name: str) -> None:
    service = compose()["services"][name]
    check = service.get("healthcheck", {})
    if check.get("disable"):
        assert str(service.get("x-healthcheck-reason", "")).strip(), name
    else:
        assert check.get("test"), f"{name}: no health check"


def test_depends_on_waits_for_readiness() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for other, wait in service.get("depends_on", {}).items():
            condition = wait["condition"]
            if condition == "service_healthy":
                assert not services[other].get("healthcheck", {}).get("disable"), (name, other)
            else:
                assert condition == "service_completed_successfully", (name, other)
                assert services[other].get("restart") == "no", (name, other)
    for name in set(own_services()) - {"migrate"}:
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_bind_mounts_exist() -> None:
    for service in compose()["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), source


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions (keyword, arguments), continuation lines joined, by stage."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, arguments = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append((keyword.upper(), arguments.strip()))
    return stages


def copies(stage: list[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    """(flags, paths) of each COPY; the last path is the destination."""
    found = []
    for keyword, arguments in stage:
        if keyword == "COPY":
            words = shlex.split(arguments)
            found.append(
                (
                    [w for w in words if w.startswith("--")],
                    [w for w in words if not w.startswith("--")],
                )
            )
    return found


def test_every_path_the_dockerfile_copies_exists() -> None:
    tracked = [
        p
        for stage in dockerfile_stages()
        for flags, p in copies(stage)
        if not any(f.startswith("--from") for f in flags)
    ]
    assert tracked
    for paths in tracked:
        for source in paths[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: no such path in the repository"


def test_the_image_carries_htmx_where_the_portal_serves_it_from() -> None:
    final = dockerfile_stages()[-1]
    destinations = [paths[-1] for _, paths in copies(final)]
    assert f"{APP_DIR}/{HTMX_DIST.relative_to(ROOT).as_posix()}" in destinations


def test_the_final_stage_is_lean_non_root_and_checks_its_health() -> None:
    final = dockerfile_stages()[-1]
    keywords = dict(final)
    user = keywords["USER"].split(":")[0]
    assert user not in {"", "0", "root"}
    assert "HEALTHCHECK" in keywords
    run = " ".join(arguments for keyword, arguments in final if keyword == "RUN")
    assert "tesseract-ocr" in run
    assert not re.search(r"\b(uv|npm|gcc|build-essential)\b", run)
    assert json.loads(keywords["ENTRYPOINT"]) == ["cmeledger"]
    verb, *_ = json.loads(keywords["CMD"])
    assert main.get_command(click.Context(main), verb) is not None


TERRAFORM = ROOT / "infra" / "terraform"
_SKIP = re.compile(r"#checkov:skip=(?P<check>[A-Z0-9_]+)(?::(?P<reason>.*))?")


def terraform_text() -> str:
    return "\n".join(path.read_text() for path in sorted(TERRAFORM.rglob("*.tf")))


def test_terraform_sets_only_known_settings() -> None:
    named = set(re.findall(r"\b(CMELEDGER_[A-Z0-9_]+)\b", terraform_text()))
    assert named, "the task definitions set no CMELEDGER_* variable"
    assert named <= SETTING_VARIABLES, sorted(named - SETTING_VARIABLES)


def test_terraform_runs_every_role_with_a_real_verb() -> None:
    literal = r'command\s*=\s*\[((?:\s*"[^"]*"\s*,?)+)\]'
    commands = [json.loads(f"[{c}]") for c in re.findall(literal, terraform_text())]
    verbs = {command[0] for command in commands if command[0] != "CMD"}  # CMD: health checks
    assert verbs == {"serve", "worker", "relay", "scheduler", "migrate"}
    assert all(main.get_command(click.Context(main), verb) for verb in verbs)


def test_every_checkov_skip_says_why_and_the_list_stays_short() -> None:
    skips = [m.groupdict() for m in _SKIP.finditer(terraform_text())]
    assert skips
    for skip in skips:
        reason = (skip["reason"] or "").strip()
        assert len(reason.split()) >= 6, f"{skip['check']}: give the reason"
    assert len(skips) <= 15
