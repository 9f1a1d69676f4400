"""The command line: help for every command, simulate's files, one-line errors with non-zero exits."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from safeschool.cli import app

runner = CliRunner()
COMMANDS = ["simulate", "load", "demo", "serve", "manage"]
SMALL = ["--countries", "2", "--schools", "4", "--classes", "8", "--teachers", "10", "--students", "120"]


def test_every_command_has_help():
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    for command in COMMANDS:
        assert command in top.output
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, command


def test_simulate_writes_one_csv_per_table_and_truth(tmp_path):
    out = tmp_path / "cohort"
    result = runner.invoke(app, ["simulate", "--out", str(out), "--seed", "3", *SMALL])
    assert result.exit_code == 0, result.output
    for name in ("countries", "schools", "classes", "teachers", "students", "waves", "outcomes", "scales"):
        assert (out / f"{name}.csv").exists(), name
    truth = json.loads((out / "truth.json").read_text())
    assert truth["config"]["seed"] == 3 and truth["config"]["sizes"]["schools"] == 4
    assert "security" in truth["config"]["achievement"]
    assert len(pd.read_csv(out / "students.csv")) == 120


def test_simulate_takes_parameter_overrides_from_yaml(tmp_path):
    config = tmp_path / "effects.yaml"
    config.write_text("achievement:\n  security: 33.5\n")
    result = runner.invoke(app, ["simulate", "--out", str(tmp_path / "c"), "--config", str(config), *SMALL])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "c" / "truth.json").read_text())["config"]["achievement"]["security"] == 33.5


@pytest.mark.parametrize(("args", "reason"), [
    (["--schools", "0"], "--schools must be at least 1"),
    (["--countries", "9", "--schools", "5", "--classes", "5", "--teachers", "5", "--students", "5"],
     "more countries (9) than schools (5)"),
    (["--students", "100"], "fewer students (100) than classes (720)"),
])
def test_impossible_sizes_exit_non_zero_with_one_line(tmp_path, args, reason):
    proc = subprocess.run([sys.executable, "-m", "safeschool.cli", "simulate", "--out", str(tmp_path / "x"), *args],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and reason in lines[0], proc.stderr
    assert not (tmp_path / "x").exists()


def test_unknown_parameter_in_config_is_refused(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("achievement:\n  securty: 1\n")
    result = runner.invoke(app, ["simulate", "--out", str(tmp_path / "c"), "--config", str(config)])
    assert result.exit_code != 0 and "unknown parameter(s) in 'achievement': securty" in result.output


def test_load_of_a_broken_directory_names_the_problem_and_loads_nothing(tmp_path):
    env_home = tmp_path / "home"
    (tmp_path / "empty").mkdir()
    proc = subprocess.run([sys.executable, "-m", "safeschool.cli", "load", str(tmp_path / "empty")],
                          capture_output=True, text=True, env={"SAFESCHOOL_HOME": str(env_home), "PATH": ""})
    assert proc.returncode != 0
    assert "countries.csv: required file is missing" in proc.stderr and "nothing was loaded" in proc.stderr


def test_load_then_demo_without_serving_reuses_the_database(tmp_path, cohort_dir):
    env = {"SAFESCHOOL_HOME": str(tmp_path / "home"), "PATH": ""}
    first = subprocess.run([sys.executable, "-m", "safeschool.cli", "load", str(cohort_dir)], capture_output=True,
                           text=True, env=env)
    assert first.returncode == 0, first.stderr
    again = subprocess.run([sys.executable, "-m", "safeschool.cli", "load", str(cohort_dir)], capture_output=True,
                           text=True, env=env)
    assert "already loaded: nothing added" in again.stdout
    demo = subprocess.run([sys.executable, "-m", "safeschool.cli", "demo", "--no-serve"], capture_output=True,
                          text=True, env=env)
    assert demo.returncode == 0, demo.stderr
    assert "Reusing the existing database (540 students)" in demo.stdout
    for username in ("admin", "researcher", "staff", "member"):
        assert f"safeschool-{username}" in demo.stdout
