"""Power of cluster-randomised designs: minimum detectable effect size (MDES), clusters needed for a target MDES,
power for a given effect, and how the MDES moves with the ICC.

The parallel designs follow Dong & Maynard (2013), "PowerUp!: A tool for calculating minimum detectable effect
sizes and minimum required sample sizes for experimental and quasi-experimental design studies", Journal of
Research on Educational Effectiveness 6(1), 24-67, and match the R package PowerUpR (Bulus, Dong, Kelcey &
Spybrook): MDES = M * SE, with M = t(1 - alpha/2, df) + t(power, df) (t(1 - alpha, df) one-tailed) and the
standardised standard error SE per design (P = proportion treated, g = covariates at the randomised level):

* ``crt2`` (CRA2_2r; J schools randomised, n students each; rho = between-school share), df = J - g - 2:
  SE^2 = rho (1 - R2_2) / (P(1-P) J) + (1 - rho)(1 - R2_1) / (P(1-P) J n)
* ``crt3`` (CRA3_3r; K schools randomised, J classes each, n students per class; rho3 school, rho2 class),
  df = K - g - 2:
  SE^2 = rho3 (1 - R2_3) / (P(1-P) K) + rho2 (1 - R2_2) / (P(1-P) J K) + (1 - rho3 - rho2)(1 - R2_1) / (P(1-P) J K n)
* ``bcrt3`` (BCRA3_2r; classes randomised within K schools as random blocks; omega = variance of the effect
  across schools relative to the school variance, R2_3 = the share of it explained), df = K - g - 1:
  SE^2 = rho3 omega (1 - R2_3) / K + rho2 (1 - R2_2) / (P(1-P) J K) + (1 - rho3 - rho2)(1 - R2_1) / (P(1-P) J K n)
* ``bcrt2`` (BCRA3_2f; schools randomised within K fixed strata such as countries, J = schools / K per stratum;
  rho = between-school share within strata), df = K (J - 2) - g:
  SE^2 = rho (1 - R2_2) / (P(1-P) J K) + (1 - rho)(1 - R2_1) / (P(1-P) J K n)

Power is that of PowerUpR: the two-tailed noncentral t, 1 - T(t_crit; df, lambda) + T(-t_crit; df, lambda) with
lambda = effect / SE.

The stepped wedge ``sw`` (cross-sectional, one treatment effect, period fixed effects, cluster random intercepts)
uses Hussey & Hughes's (2007) variance of the treatment effect (Contemporary Clinical Trials 28, 182-191),
checked in the tests against a direct GLS computation:

    Var = I s2 (s2 + T tau2) / ((I U - W) s2 + (U^2 + I T U - T W - I V) tau2)

with I clusters, T = steps + 1 periods, X the cluster-by-period treatment indicator (clusters spread as evenly as
possible over the steps), U = sum X, W = sum over periods of (column sum)^2, V = sum over clusters of (row sum)^2,
tau2 = rho (1 - R2_2), s2 = (1 - rho)(1 - R2_1) / n and n students per cluster and period. Its MDES solves
power(effect) = target with the same noncentral t, df = I - g - 2 (Hussey & Hughes used the normal approximation;
the cluster-level df is the conservative small-sample choice, and tends to it as I grows).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import optimize
from scipy import stats as st

from safeschool.vocabulary import gettext_noop

DESIGNS: dict[str, str] = {
    "crt2": gettext_noop("Schools randomised (2 levels: students in schools)"),
    "crt3": gettext_noop("Schools randomised (3 levels: students in classes in schools)"),
    "bcrt3": gettext_noop("Classes randomised within schools (schools as blocks)"),
    "bcrt2": gettext_noop("Schools randomised within strata (e.g. countries)"),
    "sw": gettext_noop("Stepped wedge (schools cross over in steps)"),
}
THREE_LEVEL = ("crt3", "bcrt3")
MAX_CLUSTERS = 1_000_000


class PowerInputError(ValueError):
    """An impossible input; the message is one line naming the option (as the CLI spells it), `option` its name."""

    def __init__(self, message: str, option: str = ""):
        super().__init__(message)
        self.option = option


@dataclass
class PowerResult:
    design: str
    mdes: float
    df: float
    multiplier: float
    se: float
    power: float
    clusters: int
    inputs: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = asdict(self)
        for key in ("mdes", "multiplier", "se", "power"):
            out[key] = float(out[key])
        out["df"] = float(self.df) if self.df != int(self.df) else int(self.df)
        out["clusters"] = int(self.clusters)
        return out


@dataclass(frozen=True)
class _Inputs:
    design: str
    clusters: int
    cluster_size: float
    icc: float
    classes_per_school: float | None = None
    icc_class: float | None = None
    r2_1: float = 0.0
    r2_2: float = 0.0
    r2_3: float = 0.0
    covariates: int = 0
    p: float = 0.5
    alpha: float = 0.05
    power: float = 0.8
    two_tailed: bool = True
    blocks: int | None = None
    omega: float = 0.0
    steps: int | None = None


def _share(value, option: str, *, upper_open: bool = True) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise PowerInputError(f"--{option} must be a number (got {value!r})", option) from None
    if not (0 <= value < 1 if upper_open else 0 < value < 1) or math.isnan(value):
        interval = "[0, 1)" if upper_open else "(0, 1)"
        raise PowerInputError(f"--{option} must lie in {interval} (got {value:g})", option)
    return value


def _count(value, option: str, minimum: int) -> int:
    try:
        whole = float(value) == int(float(value)) and not isinstance(value, bool)
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole or int(float(value)) < minimum:
        raise PowerInputError(f"--{option} must be a whole number of at least {minimum} (got {value})", option)
    return int(float(value))


def _check(design: str, **kw) -> _Inputs:
    if design not in DESIGNS:
        raise PowerInputError(f"--design: unknown design '{design}' (choose {', '.join(DESIGNS)})", "design")
    n = kw.get("cluster_size")
    try:
        n = float(n)
    except (TypeError, ValueError):
        raise PowerInputError(f"--cluster-size must be a number of students (got {n!r})", "cluster-size") from None
    if not 1 <= n < math.inf:
        raise PowerInputError(f"--cluster-size must be a finite number of at least 1 student (got {n:g})",
                              "cluster-size")
    icc = _share(kw.get("icc"), "icc")
    values = dict(design=design, clusters=_count(kw.get("clusters"), "clusters", 1), cluster_size=n, icc=icc)
    given = {k: v for k, v in kw.items() if v is not None}  # None means the default, as when not given
    for key in ("r2_1", "r2_2", "r2_3"):
        values[key] = _share(given.get(key, 0.0), key.replace("_", "-"))
    values["covariates"] = _count(given.get("covariates", 0), "covariates", 0)
    values["p"] = _share(given.get("p", 0.5), "p", upper_open=False)
    values["alpha"] = _share(given.get("alpha", 0.05), "alpha", upper_open=False)
    values["power"] = _share(given.get("power", 0.8), "power", upper_open=False)
    values["two_tailed"] = bool(given.get("two_tailed", True))
    if design in THREE_LEVEL:
        if kw.get("icc_class") is None:
            raise PowerInputError(f"--icc-class is required for {design} (the between-class share)", "icc-class")
        values["icc_class"] = _share(kw["icc_class"], "icc-class")
        if icc + values["icc_class"] >= 1:
            raise PowerInputError(f"--icc-class plus --icc must be below 1 (got {icc + values['icc_class']:g})",
                                  "icc-class")
        cps = kw.get("classes_per_school")
        minimum = 2 if design == "bcrt3" else 1
        try:
            enough = minimum <= float(cps) < math.inf
        except (TypeError, ValueError):
            enough = False
        if not enough:
            raise PowerInputError(f"--classes-per-school must be at least {minimum} for {design} (got {cps})",
                                  "classes-per-school")
        values["classes_per_school"] = float(cps)
    if design == "bcrt3":
        omega = given.get("omega", 0.0)
        try:
            valid = 0 <= float(omega) < math.inf
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise PowerInputError(f"--omega must be 0 or more (got {omega})", "omega")
        values["omega"] = float(omega)
    if design == "bcrt2":
        values["blocks"] = _count(kw.get("blocks"), "blocks", 1)
    if design == "sw":
        values["steps"] = _count(kw.get("steps"), "steps", 1)
        if values["clusters"] < values["steps"]:
            raise PowerInputError(f"--clusters: {values['clusters']} schools cannot fill {values['steps']} steps "
                                  "(at least one school crosses over at each step)", "clusters")
    inputs = _Inputs(**values)
    df = _df(inputs)
    if df < 1:
        raise PowerInputError(f"--clusters: {inputs.clusters} leave {df:g} degrees of freedom for {design} "
                              f"({_DF_TEXT[design]}); add clusters or use fewer covariates", "clusters")
    return inputs


_DF_TEXT = {"crt2": "J - g - 2", "crt3": "K - g - 2", "bcrt3": "K - g - 1", "bcrt2": "K (J - 2) - g",
            "sw": "I - g - 2"}


def _df(x: _Inputs) -> float:
    g = x.covariates
    if x.design in ("crt2", "crt3", "sw"):
        return x.clusters - g - 2
    if x.design == "bcrt3":
        return x.clusters - g - 1
    # bcrt2: K (J - 2) - g with J = clusters / K
    return x.clusters - 2 * x.blocks - g


def stepped_wedge_variance(clusters: int, steps: int, *, tau2: float, sigma2: float) -> float:
    """Hussey & Hughes (2007): variance of the treatment effect in a cross-sectional stepped wedge with
    `clusters` clusters spread as evenly as possible over `steps` steps (T = steps + 1 periods, period 1 all
    control), cluster variance `tau2` and cluster-period mean residual variance `sigma2`."""
    periods = steps + 1
    first = np.repeat(np.arange(1, steps + 1), [clusters // steps + (s < clusters % steps) for s in range(steps)])
    x = (np.arange(periods)[None, :] >= first[:, None]).astype(float)
    u, w, v = x.sum(), (x.sum(axis=0) ** 2).sum(), (x.sum(axis=1) ** 2).sum()
    i, t = clusters, periods
    return i * sigma2 * (sigma2 + t * tau2) / ((i * u - w) * sigma2 + (u * u + i * t * u - t * w - i * v) * tau2)


def _se(x: _Inputs) -> float:
    pq = x.p * (1 - x.p)
    n = x.cluster_size
    if x.design == "crt2":
        j = x.clusters
        var = x.icc * (1 - x.r2_2) / (pq * j) + (1 - x.icc) * (1 - x.r2_1) / (pq * j * n)
    elif x.design in THREE_LEVEL:
        k, j, rho3, rho2 = x.clusters, x.classes_per_school, x.icc, x.icc_class
        school = rho3 * (1 - x.r2_3) / (pq * k) if x.design == "crt3" else rho3 * x.omega * (1 - x.r2_3) / k
        var = school + rho2 * (1 - x.r2_2) / (pq * j * k) + (1 - rho3 - rho2) * (1 - x.r2_1) / (pq * j * k * n)
    elif x.design == "bcrt2":
        jk = x.clusters  # J K = all schools
        var = x.icc * (1 - x.r2_2) / (pq * jk) + (1 - x.icc) * (1 - x.r2_1) / (pq * jk * n)
    else:
        var = stepped_wedge_variance(x.clusters, x.steps, tau2=x.icc * (1 - x.r2_2),
                                     sigma2=(1 - x.icc) * (1 - x.r2_1) / n)
    return math.sqrt(var)


def _critical(x: _Inputs, df: float) -> float:
    return st.t.ppf(1 - x.alpha / 2, df) if x.two_tailed else st.t.ppf(1 - x.alpha, df)


def _power(effect: float, se: float, df: float, x: _Inputs) -> float:
    """PowerUpR's power: the noncentral t with noncentrality effect / se (both tails when two-tailed)."""
    crit, ncp = _critical(x, df), effect / se
    power = st.nct.sf(crit, df, ncp)
    if x.two_tailed:
        power += st.nct.cdf(-crit, df, ncp)
    if math.isnan(power):  # scipy's noncentral t gives up far in the tail, where power is 1
        return 1.0
    return float(power)


def _solve(x: _Inputs) -> PowerResult:
    df, se = _df(x), _se(x)
    if x.design == "sw":
        guess = (_critical(x, df) + abs(st.t.ppf(x.power, df))) * se
        mdes = optimize.brentq(lambda d: _power(d, se, df, x) - x.power, 1e-9 * se, 2 * guess, xtol=1e-12)
        multiplier = mdes / se
    else:
        t1, t2 = _critical(x, df), st.t.ppf(x.power, df)
        multiplier = t1 + t2  # t2 < 0 when power < 0.5, as PowerUpR's T1 - |T2|
        mdes = multiplier * se
    return PowerResult(design=x.design, mdes=float(mdes), df=df, multiplier=float(multiplier), se=se,
                       power=x.power, clusters=x.clusters, inputs=_public(x))


def _public(x: _Inputs) -> dict:
    out = {k: v for k, v in asdict(x).items() if v is not None and k != "design"}
    if x.design != "bcrt3":
        out.pop("omega")
    return out


def mdes(design: str, **kwargs) -> PowerResult:
    """Minimum detectable effect size (in SD units of the outcome) at `power` and `alpha`."""
    return _solve(_check(design, **kwargs))


def power_for_effect(design: str, effect: float, **kwargs) -> PowerResult:
    """Power to detect a standardised `effect` (`.power`; `.mdes` is the MDES at the requested power)."""
    try:
        effect = float(effect)
    except (TypeError, ValueError):
        raise PowerInputError(f"--effect must be a number (got {effect!r})", "effect") from None
    if not effect > 0 or math.isinf(effect):
        raise PowerInputError(f"--effect must be a standardised effect above 0 (got {effect:g})", "effect")
    x = _check(design, **kwargs)
    result = _solve(x)
    result.power = _power(effect, result.se, result.df, x)
    result.inputs["effect"] = effect
    return result


def clusters_for_mdes(design: str, target: float, **kwargs) -> PowerResult:
    """The smallest whole number of clusters whose MDES is at most `target` (`.clusters`, with the MDES, df and
    multiplier at that number). `clusters` in `kwargs`, if given, is ignored."""
    try:
        target = float(target)
    except (TypeError, ValueError):
        raise PowerInputError(f"--mdes must be a number (got {target!r})", "mdes") from None
    if not target > 0 or math.isinf(target):
        raise PowerInputError(f"--mdes must be a standardised effect above 0 (got {target:g})", "mdes")
    kwargs.pop("clusters", None)
    low = _smallest_valid(design, kwargs)

    def at(clusters: int) -> PowerResult:
        return mdes(design, clusters=clusters, **kwargs)

    if at(low).mdes <= target:
        return _with_target(at(low), target)
    high = low
    while at(high).mdes > target:
        if high >= MAX_CLUSTERS:
            raise PowerInputError(f"--mdes: no number of clusters up to {MAX_CLUSTERS} reaches an MDES of "
                                  f"{target:g}", "mdes")
        low, high = high, min(2 * high, MAX_CLUSTERS)
    while high - low > 1:  # at(low) > target >= at(high); the MDES falls as clusters grow
        middle = (low + high) // 2
        low, high = (low, middle) if at(middle).mdes <= target else (middle, high)
    return _with_target(at(high), target)


def _with_target(result: PowerResult, target: float) -> PowerResult:
    result.inputs["target_mdes"] = target
    return result


def _smallest_valid(design: str, kwargs: dict) -> int:
    """The fewest clusters the design can be computed for (df >= 1), or the option's error."""
    _check(design, clusters=MAX_CLUSTERS, **kwargs)  # every other input is valid
    g = int(kwargs.get("covariates", 0) or 0)
    need = {"crt2": g + 3, "crt3": g + 3, "sw": max(g + 3, int(kwargs.get("steps") or 1)), "bcrt3": g + 2}
    return need.get(design, 2 * int(kwargs.get("blocks") or 1) + g + 1)


def mdes_curve(design: str, iccs, **kwargs) -> list[dict]:
    """The MDES at each ICC in `iccs` (the between-school share; other inputs fixed), for the page's chart."""
    kwargs.pop("icc", None)
    return [{"icc": float(icc), "mdes": mdes(design, icc=icc, **kwargs).mdes} for icc in iccs]


def binary_effect(mdes_sd: float, base_rate: float) -> dict:
    """A standardised effect on a 0/1 outcome translated to proportions for a control-group `base_rate`.

    Rule: the arcsine translation (Cohen 1988, Statistical Power Analysis for the Behavioral Sciences, 2nd ed.,
    ch. 6): the standardised MDES is read as Cohen's h = 2 asin(sqrt(pi1)) - 2 asin(sqrt(pi0)), so the treated
    rates are pi1 = sin^2(asin(sqrt(pi0)) +/- h/2). Near pi0 = 1/2 this is the linear-probability reading
    (difference ~ h sqrt(pi0 (1 - pi0)), the scale of the observed-scale ICC and the design effect for
    proportions, Donner & Klar 2000, ch. 5); for rare or common outcomes it keeps both rates inside (0, 1) and
    makes the fall and the rise asymmetric (pi0 = 6.2 %, h = 0.26: a fall to 1.47 % or a rise to 13.9 %).
    Returns the rise (``rate_treated``, ``difference`` = rate_treated - pi0 > 0, ``odds_ratio``) and the fall
    (``rate_treated_lower``, ``difference_lower`` = pi0 - rate_treated_lower > 0, ``odds_ratio_lower``); a
    direction whose angle leaves [0, pi/2] (the rate cannot move that far) is None. ``h`` is the MDES used and
    ``method`` is "arcsine".
    """
    if not 0 < base_rate < 1:
        raise PowerInputError(f"--base-rate must lie in (0, 1) (got {base_rate:g})", "base-rate")
    if not mdes_sd > 0:
        raise PowerInputError(f"--mdes must be above 0 (got {mdes_sd:g})", "mdes")
    phi = math.asin(math.sqrt(base_rate))
    odds0 = base_rate / (1 - base_rate)

    def rate_and_or(angle: float):
        if not 0 < angle < math.pi / 2:
            return None, None
        rate = math.sin(angle) ** 2
        if not 0 < rate < 1:
            return None, None
        return rate, (rate / (1 - rate)) / odds0

    up, or_up = rate_and_or(phi + mdes_sd / 2)
    down, or_down = rate_and_or(phi - mdes_sd / 2)
    return {"difference": None if up is None else up - base_rate, "base_rate": base_rate, "h": mdes_sd,
            "method": "arcsine", "rate_treated": up, "odds_ratio": or_up,
            "difference_lower": None if down is None else base_rate - down,
            "rate_treated_lower": down, "odds_ratio_lower": or_down}
