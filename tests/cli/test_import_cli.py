"""`safeschool import` and `safeschool reliability` as a user runs them: real processes, real files."""

import json
import subprocess
import sys

import pandas as pd
import yaml

from safeschool.instruments.registry import registry


def run(*args, env):
    return subprocess.run([sys.executable, "-m", "safeschool.cli", *args], capture_output=True, text=True, env=env)


def test_import_dry_run_errors_import_again_and_undo(tmp_path, cohort_dir):
    env = {"SAFESCHOOL_HOME": str(tmp_path / "home"), "PATH": "", "COLUMNS": "200"}
    assert run("load", str(cohort_dir), env=env).returncode == 0
    items = pd.read_csv(cohort_dir / "student_items.csv")
    survey = tmp_path / "survey.csv"
    items[items.wave == 1].to_csv(survey, index=False)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({"target": "student_survey", "id": "student_id", "wave": 1,
                                       "columns": {i: i for i in registry()["pssm"].items}}))
    dry = run("import", "--file", str(survey), "--mapping", str(mapping), "--dry-run", env=env)
    assert dry.returncode == 0 and "no problems; nothing written" in dry.stdout, dry.stderr
    bad = tmp_path / "bad.csv"
    broken = items[items.wave == 1].astype(object)
    broken.iloc[3, broken.columns.get_loc("pssm_2")] = "sometimes"
    broken.to_csv(bad, index=False)
    report = tmp_path / "problems.csv"
    refused = run("import", "--file", str(bad), "--mapping", str(mapping), "--errors", str(report), env=env)
    assert refused.returncode != 0
    assert "row 5, column 'pssm_2': 'sometimes' is not a number" in refused.stderr
    assert "nothing was imported" in refused.stderr
    assert pd.read_csv(report).iloc[0].to_dict()["rule"] == "type"
    first = run("import", "--file", str(survey), "--mapping", str(mapping), env=env)
    assert first.returncode == 0 and "Imported #1" in first.stdout, first.stderr
    again = run("import", "--file", str(survey), "--mapping", str(mapping), env=env)
    assert "Already imported as #1" in again.stdout
    undo = run("import", "--undo-last", env=env)
    assert undo.returncode == 0 and "Undid import #1" in undo.stdout
    nothing = run("import", "--undo-last", env=env)
    assert nothing.returncode != 0 and "no import to undo" in nothing.stderr
    missing = run("import", "--file", str(tmp_path / "nope.sav"), "--mapping", str(mapping), env=env)
    assert missing.returncode != 0 and "nope.sav: file does not exist" in missing.stderr


def test_reliability_cli_json(tmp_path, cohort_dir):
    out = tmp_path / "rel.json"
    proc = run("reliability", "--data", str(cohort_dir / "student_items.csv"), "--items", "pssm:belonging",
               "--by", "language", "--json", str(out), env={"PATH": "", "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert 0.7 < report["alpha"] < 0.99 and report["alpha_ci"][0] < report["alpha"] < report["alpha_ci"][1]
    assert len(report["items"]) == 18 and set(report["items"][0]) >= {"item", "item_rest_r", "alpha_if_deleted"}
    assert report["groups"] and 0.5 < report["omega_total"] <= 1
    bad = run("reliability", "--data", str(cohort_dir / "student_items.csv"), "--items", "pssm_1,nope",
              env={"PATH": ""})
    assert bad.returncode != 0 and "item column(s) not in the data: nope" in bad.stderr


def test_delphi_stats_cli(tmp_path):
    ratings = tmp_path / "ratings.csv"
    rows = ["panellist,group,statement,round,rating"]
    for i, (r1, r2) in enumerate(zip([7, 7, 8, 8, 8, 9, 9, 9, 2, 5], [7, 8, 8, 8, 8, 9, 9, 9, 6, 7], strict=True)):
        rows += [f"p{i},{'teachers' if i < 5 else 'families'},S1,1,{r1}",
                 f"p{i},{'teachers' if i < 5 else 'families'},S1,2,{r2}"]
    ratings.write_text("\n".join(rows) + "\n")
    out = tmp_path / "d.json"
    proc = run("delphi-stats", "--ratings", str(ratings), "--rule", "comet", "--json", str(out),
               env={"PATH": "", "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    first, second = report["statements"]
    assert first["verdict"] == "in" and first["median"] == 8 and first["iqr"] == 1.75
    assert second["n_paired"] == 10 and second["changed"] == 3 and report["final_round"]["in"] == 1
    assert report["response"][0]["responded"] == 5
    bad = tmp_path / "bad.csv"
    bad.write_text("panellist,group,statement,round,rating\np1,t,S1,1,12\n")
    refused = run("delphi-stats", "--ratings", str(bad), env={"PATH": ""})
    assert refused.returncode != 0 and "bad.csv: row 1: rating '12' is not a whole number from 1 to 9" in refused.stderr
