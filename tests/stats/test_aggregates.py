"""The exact aggregate engine: equal to full-data fits (mixedlm, statsmodels), SQL aggregation on DuckDB and
SQLite, pooled site files, and refusals. Tolerances (issue): fixed effects 1e-6 relative, variance components
1e-4 relative, log-likelihood 1e-6."""

import json
import os
import sqlite3
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.ingest.cohort_files import analysis_frame
from safeschool.stats.aggregates import AggregateModel
from safeschool.stats.cluster_stats import stats_from_frame
from safeschool.stats.formula import ModelSpecError
from safeschool.stats.mixed import MixedModel
from safeschool.stats.protocol import SingularFitWarning
from safeschool.stats.sites import SiteFileError, open_source, read_sites, stats_from_source, write_site

F3 = "achievement ~ ses_index + security + gender + migrant_background + (1|country_id/school_id/class_id)"


@pytest.fixture(scope="module")
def frame():
    f = analysis_frame(simulate(CohortConfig(sizes=Sizes(countries=6, schools=60, classes=240, teachers=240,
                                                         students=6000), seed=9)).tables)
    return f.dropna(subset=["achievement", "security"]).reset_index(drop=True)


def _same(agg, ref, *, vc_rtol=1e-4):
    np.testing.assert_allclose(agg.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(agg.variance_components_.variance.to_numpy(),
                               ref.variance_components_.variance.to_numpy(), rtol=vc_rtol)
    assert agg.loglik_ == pytest.approx(ref.loglik_, abs=1e-6)
    assert list(agg.variance_components_.group) == list(ref.variance_components_.group)


@pytest.mark.parametrize("reml", [True, False])
def test_four_level_fit_equals_the_full_data_fit(frame, reml):
    agg = AggregateModel(F3, reml=reml).fit(stats_from_frame(F3, frame))
    ref = MixedModel(F3, reml=reml).fit(frame)
    _same(agg, ref)
    assert agg.engine_ == "aggregates" and agg.converged_ and not agg.singular_
    np.testing.assert_allclose(agg.summary.se, ref.summary.se, rtol=1e-5)
    assert agg.groups_ == ref.groups_


def test_conditional_modes_equal_the_full_data_fit(frame):
    agg = AggregateModel(F3).fit(stats_from_frame(F3, frame))
    ref = MixedModel(F3).fit(frame)
    a = agg.ranef_.set_index(["group", "level"])
    r = ref.ranef_.set_index(["group", "level"])
    assert len(a) == len(r) == 6 + 60 + 240
    joined = a.join(r.add_suffix("_ref"))
    np.testing.assert_allclose(joined.estimate, joined.estimate_ref, atol=1e-4)
    np.testing.assert_allclose(joined.se, joined.se_ref, rtol=1e-5)


def test_equals_statsmodels_on_two_and_three_levels(frame):
    df = frame.assign(sen_num=frame.sen.astype(float))
    f2 = "achievement ~ ses_index + sen_num + (1|school_id)"
    agg = AggregateModel(f2, reml=False).fit(stats_from_frame(f2, df))
    ref = smf.mixedlm("achievement ~ ses_index + sen_num", df, groups=df["school_id"]).fit(reml=False)
    np.testing.assert_allclose(agg.params_.to_numpy(), ref.fe_params.to_numpy(), rtol=1e-6)
    assert agg.variance_components_.variance.iloc[0] == pytest.approx(float(ref.cov_re.iloc[0, 0]), rel=1e-4)
    assert agg.loglik_ == pytest.approx(ref.llf, abs=1e-6)
    f3 = "achievement ~ ses_index + (1|school_id/class_id)"
    agg = AggregateModel(f3, reml=False).fit(stats_from_frame(f3, df))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = smf.mixedlm("achievement ~ ses_index", df, groups=df["school_id"], re_formula="1",
                          vc_formula={"c": "0 + C(class_id)"}).fit(reml=False)
    np.testing.assert_allclose(agg.params_.to_numpy(), ref.fe_params.to_numpy(), rtol=1e-6)
    vc = agg.variance_components_.set_index("group").variance
    # statsmodels' own stopping rule leaves its three-level variances ~1e-4 from the optimum (ours reaches a
    # log-likelihood at least as high, and equals mixedlm's to 1e-4 above), so the tolerance here is 1e-3
    assert vc["school_id"] == pytest.approx(float(ref.cov_re.iloc[0, 0]), rel=1e-3)
    assert vc["class_id:school_id"] == pytest.approx(float(ref.vcomp[0]), rel=1e-3)
    assert agg.loglik_ >= ref.llf - 1e-6  # never worse than statsmodels' optimum
    assert agg.loglik_ == pytest.approx(ref.llf, abs=1e-4)


def test_boundary_zero_variance_is_reported_as_singular():
    rng = np.random.default_rng(2)
    n_school, per = 40, 50
    school = np.repeat(np.arange(n_school), per)
    klass = school * 5 + rng.integers(0, 5, school.size)
    x = rng.normal(size=school.size)
    e = pd.Series(rng.normal(0, 1, school.size))
    # classes of a school share exactly the same mean residual: the class variance's optimum is exactly 0
    e = e - e.groupby(klass).transform("mean") + e.groupby(school).transform("mean")
    y = 2 + 0.5 * x + rng.normal(0, 1, n_school)[school] + e.to_numpy()
    df = pd.DataFrame({"y": y, "x": x, "school": school.astype(str), "klass": klass.astype(str)})
    f = "y ~ x + (1|school/klass)"
    with pytest.warns(SingularFitWarning, match="klass:school"):
        agg = AggregateModel(f, reml=False).fit(stats_from_frame(f, df))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = MixedModel(f, reml=False).fit(df)
    assert agg.singular_ and agg.variance_components_.set_index("group").variance["klass:school"] == 0.0
    np.testing.assert_allclose(agg.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-6)
    assert agg.loglik_ == pytest.approx(ref.loglik_, abs=1e-6)


def test_sql_aggregation_equals_memory_on_duckdb_csv_parquet_and_sqlite(frame, tmp_path):
    cols = ["achievement", "ses_index", "security", "gender", "migrant_background", "country_id", "school_id",
            "class_id"]
    data = frame[cols]
    data.to_csv(tmp_path / "d.csv", index=False)
    data.to_parquet(tmp_path / "d.parquet", index=False)
    with sqlite3.connect(tmp_path / "d.sqlite") as con:
        data.to_sql("students", con, index=False)
    ref = AggregateModel(F3).fit(stats_from_frame(F3, frame))
    for path, table in ((tmp_path / "d.csv", None), (tmp_path / "d.parquet", None), (tmp_path / "d.sqlite", "students")):
        stats = stats_from_source(F3, open_source(path, table=table))
        # SQLite has no boolean type: a 0/1 column is numeric there, the same estimate under its plain name
        flag = "migrant_background" if table else "migrant_backgroundTRUE"
        assert stats.terms == ["(Intercept)", "ses_index", "security", "genderM", "genderX", flag]
        model = AggregateModel(F3).fit(stats)
        np.testing.assert_allclose(model.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-9, err_msg=str(path))
        assert model.loglik_ == pytest.approx(ref.loglik_, abs=1e-6)
        assert set(model.ranef_.level) == set(ref.ranef_.level)


def test_numeric_cluster_ids_label_and_pool_as_text(frame, tmp_path):
    """Ids keep their stored type through the SQL (no per-cluster text casts); labels and pooling use text, so
    a site storing class 7 as a number and another storing "7" as text are the same cluster."""
    formula = "achievement ~ ses_index + security + (1|country_id/school_id/class_id)"
    codes = {c: frame[c].astype("category").cat.codes.astype("int64") + 1
             for c in ("country_id", "school_id", "class_id")}
    numeric = frame.assign(**codes)
    numeric.to_parquet(tmp_path / "n.parquet", index=False)
    a = stats_from_source(formula, open_source(tmp_path / "n.parquet"))
    model = AggregateModel(formula).fit(a)
    ref = AggregateModel(formula).fit(stats_from_frame(formula, numeric))
    assert set(model.ranef_.level) == set(ref.ranef_.level)
    assert "1:1:1" in set(model.ranef_.level)
    text = numeric.assign(**{c: numeric[c].astype(str) for c in codes})
    with sqlite3.connect(tmp_path / "t.sqlite") as con:
        text.to_sql("students", con, index=False, dtype={c: "TEXT" for c in codes})
    b = stats_from_source(formula, open_source(tmp_path / "t.sqlite", table="students"))
    assert all(type(label) is str for label in b.ids["class_id"])
    pa = write_site(a, formula, tmp_path / "a.parquet")[0]
    pb = write_site(b, formula, tmp_path / "b.parquet")[0]
    with pytest.raises(SiteFileError, match="also appears in another site file"):
        read_sites([pa, pb])


def test_aggregation_still_runs_under_a_tiny_duckdb_memory_limit(frame, tmp_path, monkeypatch):
    """Below what the query needs, DuckDB spills or the query runs again without the limit: same estimates."""
    from safeschool.stats import sites

    monkeypatch.setattr(sites, "DUCKDB_MEMORY_LIMIT", "1MB")
    frame.to_parquet(tmp_path / "d.parquet", index=False)
    model = AggregateModel(F3).fit(stats_from_source(F3, open_source(tmp_path / "d.parquet")))
    ref = AggregateModel(F3).fit(stats_from_frame(F3, frame))
    np.testing.assert_allclose(model.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-9)


def _sites(frame, tmp_path, formula=F3):
    a = frame[frame.country_id.isin(frame.country_id.unique()[:3])]
    b = frame[~frame.country_id.isin(frame.country_id.unique()[:3])]
    a.to_parquet(tmp_path / "a_rows.parquet", index=False)
    b.to_csv(tmp_path / "b_rows.csv", index=False)
    pa = write_site(stats_from_source(formula, open_source(tmp_path / "a_rows.parquet")), formula,
                    tmp_path / "a.parquet")[0]
    pb = write_site(stats_from_source(formula, open_source(tmp_path / "b_rows.csv")), formula,
                    tmp_path / "b.parquet")[0]
    return pa, pb


def test_pooled_sites_equal_the_full_fit(frame, tmp_path):
    pa, pb = _sites(frame, tmp_path)
    stats, formula = read_sites([pa, pb])
    pooled = AggregateModel(formula).fit(stats)
    full = MixedModel(F3).fit(frame)
    _same(pooled, full)
    meta = json.loads(pa.with_suffix(".json").read_text())
    assert meta["schema_version"] == 1 and meta["formula"] == F3 and "no row for any student" in \
        meta["what_this_file_reveals"]
    assert meta["encodings"]["gender"] == {"type": "factor", "levels": ["F", "M", "X"], "reference": "F"}
    assert set(pd.read_parquet(pa).columns) >= {"g0", "g1", "g2", "n", "sy", "yy"}
    assert "student_id" not in pd.read_parquet(pa).columns


def test_site_files_that_do_not_match_are_refused(frame, tmp_path):
    pa, pb = _sites(frame, tmp_path)
    with pytest.raises(SiteFileError, match="also appears in another site file"):
        read_sites([pa, pa])
    other = "achievement ~ ses_index + (1|country_id/school_id/class_id)"
    (tmp_path / "o").mkdir()
    po, _ = _sites(frame, tmp_path / "o", formula=other)
    with pytest.raises(SiteFileError, match="different formula"):
        read_sites([pa, po])
    meta = json.loads(pb.with_suffix(".json").read_text())
    meta["encodings"]["gender"]["levels"] = ["F", "M"]
    pb.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(SiteFileError, match="column encodings differ .*'gender'"):
        read_sites([pa, pb])
    meta["schema_version"] = 99
    pb.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(SiteFileError, match="schema version 99"):
        read_sites([pa, pb])


def test_small_clusters_are_refused_unless_allowed(frame, tmp_path):
    stats = stats_from_frame(F3, frame.iloc[::7])  # about 3-4 students per class
    with pytest.raises(ModelSpecError, match="have fewer than 5 rows"):
        write_site(stats, F3, tmp_path / "s.parquet")
    path, meta = write_site(stats, F3, tmp_path / "s.parquet", allow_small=True)
    assert json.loads(meta.read_text())["small_clusters_allowed"] is True


@pytest.mark.parametrize(("formula", "message"), [
    ("achievement ~ ses_index + (1 + ses_index|school_id)", "random intercepts only"),
    ("achievement ~ ses_index + (1|school_id) + (1|class_id)", "nested groupings"),
])
def test_models_outside_the_engine_are_refused(frame, formula, message):
    with pytest.raises(ModelSpecError, match=message):
        stats_from_frame(formula, frame)


F2 = "achievement ~ ses_index + security + (1|school_id)"
F2L = "achievement ~ ses_index + security + (1|school_id/class_id)"


def _balanced(frame):
    """Every class of a school cut to the school's smallest class: one class size per school, so the engine's
    lowest level has one (school, size) group per school and needs no summing (the benchmark's design)."""
    size = frame.groupby("class_id").achievement.transform("size")
    smallest = size.groupby(frame.school_id).transform("min")
    return frame[frame.groupby("class_id").cumcount() < smallest].reset_index(drop=True)


@pytest.mark.parametrize("reml", [True, False])
@pytest.mark.parametrize("formula", [F2, F2L, F3])
@pytest.mark.parametrize("balanced", [False, True])
def test_analytic_gradient_matches_finite_differences(frame, reml, formula, balanced):
    """Central differences (h = 1e-6) of the closed-form deviance against the adjoint gradient: rel 1e-5."""
    from safeschool.stats import absorption as ab

    data = _balanced(frame) if balanced else frame
    stats = stats_from_frame(formula, data)
    tree = ab.NestingTree(stats)
    tree.compress(stats)
    L = len(stats.levels)
    if L > 1:
        assert (tree.low["sum"] is None) == balanced
    gammas = np.array([0.07, 0.3, 0.12])[:L]
    _dev, grad, *_ = ab.profiled_deviance(stats, tree, gammas, reml)
    for i in range(L):
        h = np.zeros(L)
        h[i] = 1e-6
        fd = (ab.profiled_deviance(stats, tree, gammas + h, reml)[0]
              - ab.profiled_deviance(stats, tree, gammas - h, reml)[0]) / 2e-6
        assert grad[i] == pytest.approx(fd, rel=1e-5, abs=1e-3)


def test_balanced_design_equals_the_full_data_fit(frame):
    data = _balanced(frame)
    _same(AggregateModel(F3).fit(stats_from_frame(F3, data)), MixedModel(F3).fit(data))


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="needs DATABASE_URL=postgres://… (the same SQL on PostgreSQL)")
def test_sql_aggregation_runs_unchanged_on_postgresql(frame):
    import psycopg

    url = os.environ["DATABASE_URL"]
    cols = ["achievement", "ses_index", "security", "gender", "migrant_background", "country_id", "school_id",
            "class_id"]
    data = frame[cols]
    table = "aggregate_engine_test_rows"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TABLE {table} (achievement double precision, ses_index double precision, security "
                    "double precision, gender text, migrant_background boolean, country_id text, school_id text, "
                    "class_id text)")
        with con.cursor().copy(f"COPY {table} FROM STDIN") as copy:
            for row in data.itertuples(index=False):
                copy.write_row([None if pd.isna(v) else v for v in row])
        try:
            model = AggregateModel(F3).fit(stats_from_source(F3, open_source(url, table=table)))
        finally:
            con.execute(f"DROP TABLE {table}")
    ref = AggregateModel(F3).fit(stats_from_frame(F3, frame))
    np.testing.assert_allclose(model.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-9)
    assert model.loglik_ == pytest.approx(ref.loglik_, abs=1e-6)
    assert set(model.ranef_.level) == set(ref.ranef_.level)
