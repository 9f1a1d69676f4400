"""Every command is documented in the README and has docs; the simulation parameters are all in the docs."""

from pathlib import Path

from safeschool.cli import commands
from safeschool.cohort.params import parameter_table

ROOT = Path(__file__).resolve().parents[1]


def test_every_cli_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for command in commands.registered_commands:
        name = command.name or command.callback.__name__
        assert f"safeschool {name}" in readme, name


def test_every_simulation_parameter_is_documented():
    doc = (ROOT / "docs" / "simulation.md").read_text()
    for row in parameter_table():
        assert f"`{row['name']}`" in doc, row["name"]


def test_the_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    head = readme[:1500]
    assert "make demo" in head and "make test" in head
