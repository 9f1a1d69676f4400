"""Red team of `safeschool power` and `safeschool evaluate impact`: non-finite, negative, huge and absurd options,
a search for clusters that could run for ever, missing, hostile and tiny data files, a JSON path that cannot be
written. Every refusal is one line on stderr naming the option, with a non-zero exit and no traceback; every answer
is finite and fast, and its JSON is strict JSON (no NaN/Infinity)."""

from __future__ import annotations

import json
import math
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.trials.simulate import simulate_trial

BASE = ["--design", "crt2", "--clusters", "20", "--cluster-size", "25", "--icc", "0.1"]
FORMULA = "y ~ treat + baseline + (1|school_id)"


def _invoke(*args):
    started = time.perf_counter()
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result, time.perf_counter() - started


def _refused(result, option: str) -> None:
    """A non-zero exit without a traceback and one line "Error: --option ..." (a value Typer itself cannot
    parse is its usage box naming the option, exit 2)."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not a traceback
    if "Usage:" in result.output:
        assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output, result.output
        return
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and option in lines[0], result.output


def _override(args: list, **over) -> list:
    out = list(args)
    for key, value in over.items():
        flag = "--" + key.replace("_", "-")
        if flag in out:
            out[out.index(flag) + 1] = value
        else:
            out += [flag, value]
    return out


@pytest.mark.parametrize("over, option", [
    ({"icc": "nan"}, "--icc"), ({"icc": "inf"}, "--icc"), ({"icc": "-0.1"}, "--icc"), ({"icc": "1e308"}, "--icc"),
    ({"icc_class": "nan", "design": "crt3", "classes_per_school": "2"}, "--icc-class"),
    ({"cluster_size": "nan"}, "--cluster-size"), ({"cluster_size": "-3"}, "--cluster-size"),
    ({"cluster_size": "inf"}, "--cluster-size"), ({"cluster_size": "0"}, "--cluster-size"),
    ({"clusters": "-20"}, "--clusters"), ({"clusters": "0"}, "--clusters"),
    ({"clusters": "1" + "0" * 400}, "--clusters"), ({"clusters": "abc"}, "--clusters"),
    ({"classes_per_school": "nan", "design": "crt3", "icc_class": "0.05"}, "--classes-per-school"),
    ({"r2_1": "nan"}, "--r2-1"), ({"r2_1": "1"}, "--r2-1"), ({"r2_2": "-0.5"}, "--r2-2"),
    ({"p": "nan"}, "--p"), ({"p": "1"}, "--p"), ({"alpha": "nan"}, "--alpha"), ({"alpha": "1.5"}, "--alpha"),
    ({"power": "nan"}, "--power"), ({"power": "0"}, "--power"), ({"covariates": "-1"}, "--covariates"),
    ({"effect": "nan"}, "--effect"), ({"effect": "-inf"}, "--effect"),
    ({"mdes": "nan"}, "--mdes"), ({"mdes": "-0.2"}, "--mdes"), ({"mdes": "0"}, "--mdes"),
    ({"mdes": "1e-300"}, "--mdes"), ({"mdes": "0.001", "cluster_size": "1e308"}, "--mdes"),
    ({"mdes": "0.001"}, "--mdes"), ({"classes_per_school": "inf", "design": "crt3", "icc_class": "0.05"},
                                     "--classes-per-school"),
    ({"base_rate": "nan"}, "--base-rate"), ({"base_rate": "1.5"}, "--base-rate"),
    ({"design": "sw", "steps": "0"}, "--steps"), ({"design": "sw", "steps": "-2"}, "--steps"),
    ({"design": "bcrt2", "blocks": "0"}, "--blocks"), ({"design": "bcrt3", "icc_class": "0.1",
                                                       "classes_per_school": "4", "omega": "nan"}, "--omega"),
    ({"design": "did"}, "--design"),
])
def test_power_refuses_bad_options_in_one_line(tmp_path, over, option):
    out = tmp_path / "p.json"
    result, took = _invoke("power", *_override(BASE, **over), "--json", out)
    assert took < 3, (over, took)
    _refused(result, option)
    assert not out.exists()


@pytest.mark.parametrize("over", [
    {"cluster_size": "1e308"}, {"clusters": "1000000"}, {"mdes": "1e308"}, {"effect": "1e308"},
    {"design": "crt3", "classes_per_school": "1e308", "icc_class": "0.1"},
    {"design": "sw", "steps": "24", "clusters": "100000"},
    {"design": "bcrt2", "blocks": "1000", "clusters": "5000"}, {"mdes": "0.01", "icc": "0.99"},
])
def test_power_answers_huge_but_valid_options_fast_and_finite(tmp_path, over):
    out = tmp_path / "p.json"
    result, took = _invoke("power", *_override(BASE, **over), "--json", out)
    assert took < 3, (over, took)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(), parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    for key in ("mdes", "df", "multiplier", "se", "power"):
        assert data[key] is None or math.isfinite(data[key]), (key, data[key])


def test_power_json_path_that_cannot_be_written(tmp_path):
    (tmp_path / "file").write_text("x")
    result, _ = _invoke("power", *BASE, "--json", tmp_path / "file" / "under-a-file.json")
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: --json: cannot write")


@pytest.fixture(scope="module")
def trial_csv(tmp_path_factory):
    frame = simulate_trial("crt2", schools=12, classes_per_school=2, students_per_class=10, icc_school=0.1,
                           effect=0.3, seed=5)
    folder = tmp_path_factory.mktemp("redteam-cli")
    path = folder / "trial.csv"
    frame.to_csv(path, index=False)
    return folder, frame


@pytest.fixture(scope="module")
def hostile_files(trial_csv) -> dict:
    """name -> path of a hostile, broken or tiny data file."""
    folder, frame = trial_csv
    files = {}

    def write(name: str, content: bytes) -> None:
        (folder / name).write_bytes(content)
        files[name] = folder / name

    csv = frame.to_csv(index=False)
    write("nul.csv", csv.replace("\n", "\x00\n", 3).encode())
    write("binary.csv", bytes(range(256)) * 32)
    write("empty.csv", b"")
    write("header-only.csv", csv.splitlines()[0].encode() + b"\n")
    write("three-rows.csv", "\n".join(csv.splitlines()[:4]).encode())
    write("words.csv", csv.replace(",1,", ",yes,", 50).encode())
    write("one-arm.csv", frame.assign(treat=1).to_csv(index=False).encode())
    write("zip.parquet", b"PK\x03\x04" + b"\x00" * 2048)
    write("table.xlsx", b"PK\x03\x04")
    write("wide.csv", (",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("1" * 100_000)).encode())
    wide = folder / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": pa.array([1], type=pa.int8()) for i in range(6_000)}), wide)
    files["wide.parquet"] = wide
    files["missing.csv"] = folder / "missing.csv"
    files["a directory.csv"] = folder
    return files


@pytest.mark.parametrize("name", ["nul.csv", "binary.csv", "empty.csv", "header-only.csv", "three-rows.csv",
                                  "words.csv", "one-arm.csv", "zip.parquet", "table.xlsx", "missing.csv",
                                  "a directory.csv", "wide.csv", "wide.parquet"])
def test_impact_refuses_hostile_or_tiny_files_in_one_line(tmp_path, hostile_files, name):
    path = hostile_files[name]
    out = tmp_path / "i.json"
    result, took = _invoke("evaluate", "impact", "--data", path, "--formula", FORMULA, "--treatment", "treat",
                           "--json", out)
    assert took < 5, (name, took)
    _refused(result, "--")
    assert not out.exists()


@pytest.mark.parametrize("args, option", [
    (["--formula", "y ~ ((", "--treatment", "treat"], "--formula"),
    (["--formula", "", "--treatment", "treat"], "--formula"),
    (["--formula", "y ~ treat + (1|school_id)" + "".join(f" + x{i}" for i in range(2000)), "--treatment",
      "treat"], "--formula"),
    (["--formula", "__import__('os') ~ treat + (1|school_id)", "--treatment", "treat"], "--formula"),
    (["--formula", "y ~ treat + (1|school_id)", "--treatment", ""], "--treatment"),
    (["--formula", FORMULA, "--treatment", "treat", "--family", "poisson"], "--family"),
    (["--formula", "y ~ treat + (1|school_id)", "--treatment", "treat", "--family", "binomial"], "--"),
])
def test_impact_refuses_bad_options_in_one_line(tmp_path, trial_csv, args, option):
    folder, _ = trial_csv
    out = tmp_path / "i.json"
    result, _took = _invoke("evaluate", "impact", "--data", folder / "trial.csv", *args, "--json", out)
    _refused(result, option)
    assert not out.exists()


def test_impact_json_is_strict_json(tmp_path, trial_csv):
    folder, _ = trial_csv
    out = tmp_path / "i.json"
    result, _took = _invoke("evaluate", "impact", "--data", folder / "trial.csv", "--formula", FORMULA,
                            "--treatment", "treat", "--json", out)
    assert result.exit_code == 0, result.output
    json.loads(out.read_text(), parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))


def test_impact_refuses_a_parquet_bomb_from_its_footer(tmp_path, monkeypatch):
    from safeschool.ingest import readers

    monkeypatch.setattr(readers, "MAX_PARQUET_CELLS", 100_000)  # the real limit, 20 million cells, made small
    path = tmp_path / "bomb.parquet"
    pq.write_table(pa.table({"y": pa.array([0] * 200_000, type=pa.int8())}), path, compression="zstd")
    result, _took = _invoke("evaluate", "impact", "--data", path, "--formula", FORMULA, "--treatment", "treat",
                            "--json", tmp_path / "i.json")
    _refused(result, "--data")
    assert "cell limit" in result.output
