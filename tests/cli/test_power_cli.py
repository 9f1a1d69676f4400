"""`safeschool power`: the documented JSON keys with the library's figures, `--mdes` solving for schools, `--effect`
for power, and one-line errors naming the option with a non-zero exit."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.trials import power as pw

SAXON = ["--classes-per-school", 2, "--cluster-size", 10, "--icc", .18, "--icc-class", .06, "--r2-1", .55,
         "--r2-2", .5, "--r2-3", .45, "--covariates", 1, "--p", .4]


def _run(*args):
    return CliRunner().invoke(app, ["power", *map(str, args)])


def test_crt3_mdes_json_matches_powerupr(tmp_path):
    out = tmp_path / "power.json"
    result = _run("--design", "crt3", "--clusters", 83, *SAXON, "--json", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert {"mdes", "df", "multiplier"} <= set(data)
    assert round(data["mdes"], 2) == 0.23 and data["df"] == 80 and data["clusters"] == 83  # PowerUpR's vignette
    assert "MDES (SD)" in result.output and "0.230" in result.output


def test_crt2_mdes_by_hand(tmp_path):
    out = tmp_path / "power.json"
    result = _run("--design", "crt2", "--clusters", 20, "--cluster-size", 4, "--icc", .2, "--json", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    # SE^2 = .2/(.25*20) + .8/(.25*80) = .08; M = t(.975,18) + t(.8,18) = 2.9630; MDES = .8381
    assert data["df"] == 18 and data["mdes"] == pytest.approx(.8381, abs=2e-4)
    assert data["multiplier"] == pytest.approx(2.9630, abs=2e-4)


def test_mdes_option_returns_the_clusters_needed(tmp_path):
    out = tmp_path / "clusters.json"
    result = _run("--design", "crt3", *SAXON, "--mdes", .25, "--json", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["clusters"] == 71 and data["target_mdes"] == .25  # PowerUpR's mrss.cra3 gives K = 71
    assert data["mdes"] <= .25 and {"df", "multiplier"} <= set(data)
    assert "Schools needed" in result.output


def test_effect_option_and_binary_translation(tmp_path):
    out = tmp_path / "effect.json"
    result = _run("--design", "bcrt2", "--clusters", 220, "--blocks", 5, "--cluster-size", 20, "--icc", .1,
                  "--effect", .145, "--base-rate", .1, "--json", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert round(data["power"], 3) == 0.803 and data["effect"] == .145  # PowerUpR's power.bcra3f2 example
    # the arcsine (Cohen's h) translation: rise to sin^2(asin(sqrt(.1)) + h/2), fall to sin^2(... - h/2)
    phi = math.asin(math.sqrt(.1))
    assert data["binary"]["rate_treated"] == pytest.approx(math.sin(phi + data["mdes"] / 2) ** 2)
    assert data["binary"]["difference"] == pytest.approx(math.sin(phi + data["mdes"] / 2) ** 2 - .1)
    assert data["binary"]["rate_treated_lower"] == pytest.approx(math.sin(phi - data["mdes"] / 2) ** 2)


def test_stepped_wedge_and_bcrt3_run():
    assert _run("--design", "sw", "--clusters", 20, "--steps", 4, "--cluster-size", 20, "--icc", .05).exit_code == 0
    result = _run("--design", "bcrt3", "--clusters", 24, "--classes-per-school", 6, "--cluster-size", 10,
                  "--icc", .13, "--icc-class", .1, "--omega", .4)
    assert result.exit_code == 0 and f"{pw.mdes('bcrt3', clusters=24, classes_per_school=6, cluster_size=10, icc=.13, icc_class=.1, omega=.4).mdes:.3f}" in result.output


@pytest.mark.parametrize("args, option", [
    (["--design", "crt2", "--clusters", 20, "--cluster-size", 4, "--icc", 1.2], "--icc"),
    (["--design", "crt3", "--clusters", 20, "--cluster-size", 4, "--icc", .2, "--classes-per-school", 2],
     "--icc-class"),
    (["--design", "crt2", "--clusters", 2, "--cluster-size", 4, "--icc", .2], "--clusters"),
    (["--design", "crt2", "--cluster-size", 4, "--icc", .2], "--clusters"),
    (["--design", "crt2", "--clusters", 20, "--cluster-size", 4, "--icc", .2, "--p", 0], "--p"),
    (["--design", "crt2", "--clusters", 20, "--cluster-size", 4, "--icc", .2, "--mdes", .2, "--effect", .2],
     "--mdes"),
    (["--design", "bcrt2", "--clusters", 20, "--cluster-size", 4, "--icc", .2], "--blocks"),
])
def test_errors_are_one_line_naming_the_option(args, option):
    result = _run(*args)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: {option}")
