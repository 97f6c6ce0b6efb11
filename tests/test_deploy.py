"""The installation recipe: the systemd units in deploy/ and what docs/deploy.md says of them.

A unit that runs a command that does not exist, or a timer without its service, fails
only on the server, at night; these tests fail here instead. Every scheduled command
is one of the project's management commands and accepts its arguments; every timer has
a one-shot service of the same name and a calendar systemd understands; every unit is
copied and enabled by the recipe; the e-mail digest runs as often as the notification
settings promise.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from convivencia.core.choices import EmailFrequency

ROOT = Path(__file__).resolve().parents[1]
SYSTEMD = ROOT / "deploy" / "systemd"
RECIPE = ROOT / "docs" / "deploy.md"
PROGRAM = "/srv/convivencia/.venv/bin/convivencia"

Unit = dict[str, dict[str, list[str]]]


def read_unit(path: Path) -> Unit:
    """Sections of a unit file, each key with its values in order (a key may repeat).

    Comments are left out and a line ending in a backslash goes on with the next one, as
    systemd reads them.
    """
    sections: Unit = {}
    current: dict[str, list[str]] | None = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path.name}: {line!r} comes before any [Section]"
        assert "=" in line, f"{path.name}: {line!r} is not Key=value"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    assert not pending, f"{path.name} ends in a backslash"
    return sections


def value(unit: Unit, section: str, key: str) -> str:
    values = unit.get(section, {}).get(key, [])
    assert len(values) == 1, f"[{section}] {key}= appears {len(values)} times, expected once"
    return values[0]


def units(suffix: str) -> list[Path]:
    return sorted(SYSTEMD.glob(f"*.{suffix}"))


def management_command(service: Path) -> list[str]:
    """The command and arguments a service gives ``convivencia``, or [] for another program."""
    words = shlex.split(value(read_unit(service), "Service", "ExecStart"))
    return words[1:] if words[0] == PROGRAM else []


def timer_running(command: str) -> Unit:
    for timer in units("timer"):
        if management_command(timer.with_suffix(".service"))[:1] == [command]:
            return read_unit(timer)
    raise AssertionError(f"no timer in deploy/systemd runs `convivencia {command}`")


def test_the_recipe_ships_a_service_and_a_timer_for_each_scheduled_command():
    scheduled = {management_command(timer.with_suffix(".service"))[0] for timer in units("timer")}

    assert scheduled == {"purge_uploads", "send_notification_digest", "commitment_digest"}


@pytest.mark.parametrize("timer", units("timer"), ids=lambda path: path.name)
def test_every_timer_starts_a_one_shot_service_of_its_name_when_the_machine_boots(timer):
    unit = read_unit(timer)
    service = timer.with_suffix(".service")

    assert service.exists(), f"{timer.name} has no {service.name}"
    assert value(read_unit(service), "Service", "Type") == "oneshot"
    assert "Unit" not in unit.get("Timer", {}), "the timer starts the service of its own name"
    assert value(unit, "Timer", "Persistent") == "true", "a run missed while off is caught up"
    assert value(unit, "Install", "WantedBy") == "timers.target"
    assert value(unit, "Timer", "OnCalendar")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
@pytest.mark.parametrize("timer", units("timer"), ids=lambda path: path.name)
def test_every_timer_calendar_is_one_systemd_understands(timer):
    calendar = value(read_unit(timer), "Timer", "OnCalendar")

    result = subprocess.run(
        ["systemd-analyze", "calendar", calendar], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("service", units("service"), ids=lambda path: path.name)
def test_every_service_runs_as_the_service_user_with_the_environment_file(service):
    unit = read_unit(service)

    assert value(unit, "Service", "User") == "convivencia"
    assert value(unit, "Service", "Group") == "convivencia"
    assert value(unit, "Service", "EnvironmentFile") == "/etc/convivencia/convivencia.env"
    assert value(unit, "Service", "WorkingDirectory") == "/srv/convivencia"
    assert value(unit, "Service", "NoNewPrivileges") == "true"
    assert value(unit, "Service", "ProtectSystem") == "strict"


@pytest.mark.parametrize(
    "service",
    [service for service in units("service") if management_command(service)],
    ids=lambda path: path.name,
)
def test_every_service_runs_a_command_that_exists_with_arguments_it_accepts(service):
    words = management_command(service)
    name, arguments = words[0], words[1:]

    commands = get_commands()
    assert name in commands, f"{service.name} runs `convivencia {name}`, which does not exist"
    parser = load_command_class(commands[name], name).create_parser("convivencia", name)
    parser.parse_args(arguments)  # exits (SystemExit) on an argument the command refuses


@pytest.mark.parametrize("unit", [*units("service"), *units("timer")], ids=lambda path: path.name)
def test_the_recipe_copies_and_enables_every_unit(unit):
    recipe = RECIPE.read_text(encoding="utf-8")
    enabled = unit.stem if unit.suffix == ".service" else unit.name

    assert "deploy/systemd/convivencia-*.service" in recipe
    assert "deploy/systemd/convivencia-*.timer" in recipe
    assert enabled in recipe, f"docs/deploy.md never enables {enabled}"
    if unit.suffix == ".timer":
        command = management_command(unit.with_suffix(".service"))[0]
        assert f"convivencia {command}" in recipe, f"docs/deploy.md omits what {unit.name} runs"


def test_the_digest_runs_every_day_as_the_notification_settings_promise():
    # The account page offers a daily digest and nothing slower: the timer must send it
    # every day, and a weekly choice would need a timer of its own.
    assert EmailFrequency.DAILY in EmailFrequency.values
    assert not {"weekly", "monthly"} & set(EmailFrequency.values)

    calendar = value(timer_running("send_notification_digest"), "Timer", "OnCalendar")

    assert calendar.startswith(("*-*-* ", "daily")), f"the digest runs on {calendar!r}"


def test_the_commitment_reminders_run_before_that_mornings_digest():
    commitments = value(timer_running("commitment_digest"), "Timer", "OnCalendar")
    digest = value(timer_running("send_notification_digest"), "Timer", "OnCalendar")

    assert commitments.split()[-1] < digest.split()[-1]


def test_a_unit_split_over_lines_is_read_as_systemd_reads_it(tmp_path):
    path = tmp_path / "example.service"
    path.write_text(
        "# comment\n[Service]\nExecStart=/bin/prog \\\n    --one \\\n    --two\n"
        "Environment=A=1\nEnvironment=B=2\n",
        encoding="utf-8",
    )

    unit = read_unit(path)

    assert unit["Service"]["ExecStart"] == ["/bin/prog  --one  --two"]
    assert unit["Service"]["Environment"] == ["A=1", "B=2"]
