"""`safeschool` starts fast (issue 20): importing the command line loads none of the heavy libraries, `--help`
lists every command and group exactly as typer prints them when it builds them all, and `fit --engine aggregates`
imports neither pandas nor scipy.stats (docs/performance.md, "Command-line start-up")."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from safeschool import cli

HEAVY = {"django", "pandas", "scipy", "numpy", "duckdb", "gunicorn", "yaml", "pyspark", "pyarrow", "formulaic",
         "statsmodels", "sklearn", "altair", "weasyprint", "psycopg", "pydantic"}
COMMANDS = ["simulate", "load", "import", "instruments", "reliability", "delphi-stats", "fit", "aggregate", "power",
            "demo", "serve", "worker", "digest", "manage", "backup", "restore"]
GROUPS = ["analyze", "screen", "selfeval", "label", "evaluate", "indicators", "report"]
GOLDEN = Path(__file__).parent / "data" / "fit_golden" / "students.csv"


def _imported_after(code: str, tmp_path: Path) -> dict:
    """Run `code` in a fresh interpreter, then report which modules it left imported."""
    probe = code + (
        "\nimport json, sys\nprint(json.dumps({'top': sorted({m.split('.')[0] for m in sys.modules}), "
        "'all': sorted(sys.modules)}))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_loads_no_heavy_library(tmp_path):
    found = _imported_after("import safeschool.cli", tmp_path)
    assert "typer" in found["top"] and "safeschool" in found["top"]  # the probe sees what was imported
    assert sorted(HEAVY & set(found["top"])) == []
    assert not {"rich.table", "rich.progress", "typer.rich_utils"} & set(found["all"])


def test_help_lists_every_command_and_group_as_typer_builds_them():
    """The lazy group lists stand-ins; the help must be what typer prints with every command built."""
    eager = typer.Typer(help=cli.app.info.help, no_args_is_help=True, add_completion=False,
                        pretty_exceptions_enable=False)
    eager.registered_commands = list(cli.commands.registered_commands)
    eager.registered_groups = list(cli.commands.registered_groups)
    eager.callback()(cli.main)
    runner = CliRunner()
    lazy_help = runner.invoke(cli.app, ["--help"], terminal_width=200)
    assert lazy_help.exit_code == 0
    assert lazy_help.output == runner.invoke(eager, ["--help"], terminal_width=200).output
    no_arguments = runner.invoke(cli.app, [], terminal_width=200).output  # typer shows the help
    assert "Commands" in no_arguments and no_arguments == runner.invoke(eager, [], terminal_width=200).output
    listed = [line.split()[1] for line in lazy_help.output.splitlines()
              if line.startswith("│ ") and line[2] not in " -"]  # a row's first line (not its wrapped help)
    assert listed == COMMANDS + GROUPS


@pytest.mark.parametrize("name", GROUPS + ["fit"])
def test_each_command_runs_from_the_lazy_group(name):
    result = CliRunner().invoke(cli.app, [name, "--help"], terminal_width=200)
    assert result.exit_code == 0 and f"Usage: root {name} [OPTIONS]" in " ".join(result.output.split())
    group = typer.main.get_command(cli.app)
    assert group.get_command(None, name).name == name and group.get_command(None, "no-such-command") is None


def test_fit_from_sql_sums_imports_neither_pandas_nor_scipy_stats(tmp_path):
    found = _imported_after(
        "from typer.testing import CliRunner\nfrom safeschool.cli import app\n"
        f"result = CliRunner().invoke(app, ['fit', '--engine', 'aggregates', '--data', {str(GOLDEN)!r}, "
        "'--formula', 'score ~ x1 + gender + flag + (1|country/school/class)', '--json', 'out.json'])\n"
        "assert result.exit_code == 0, result.output", tmp_path)
    assert json.loads((tmp_path / "out.json").read_text())["engine"] == "aggregates"  # the fit did run
    assert {"duckdb", "numpy", "scipy"} <= set(found["top"])
    assert not {"pandas", "scipy.stats", "pyarrow", "django", "formulaic", "statsmodels"} & set(found["all"])
