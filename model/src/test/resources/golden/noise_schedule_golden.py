#!/usr/bin/env python3
"""Golden values of NoiseScheduleTest (and the schedule numbers cited by CliTest / ForwardProcessTest).

Recomputes, independently of the Java code, the forward-process variance schedules from the
published formulas, in float64 as numpy/diffusers do:

  linear         beta = linspace(b0, b1, T)                      defaults b0=1e-4, b1=0.02 (Ho et al. 2020)
  scaled-linear  beta = linspace(sqrt(b0), sqrt(b1), T)^2        defaults b0=0.00085, b1=0.012
  cosine         beta_t = min(1 - f((t+1)/T) / f(t/T), 0.999),
                 f(u) = cos((u + 0.008) / 1.008 * pi/2)^2        (Nichol & Dhariwal 2021, eq. 17)
  sigmoid        beta = sigmoid(linspace(-6, 6, T)) * (b1 - b0) + b0   defaults 1e-4, 0.02
  alpha_bar[t] = prod_{s<=t} (1 - beta_s)
  sigma_equiv[t] = 127.5 * sqrt((1 - alpha_bar[t]) / alpha_bar[t])

linspace has numpy.linspace semantics (numpy.linspace itself is used): i * step + start with
step = (stop - start) / (T - 1), the last element set to exactly stop.

Usage (from the repository root):
  python3 model/src/test/resources/golden/noise_schedule_golden.py          # print the Java lines
  python3 model/src/test/resources/golden/noise_schedule_golden.py --check  # compare with the tests
  python3 model/src/test/resources/golden/noise_schedule_golden.py --exact  # also a 60-digit cross-check

Default output is the Java source of the golden blocks (floats printed with Python repr, the
shortest string that round-trips, which is how the literals in the test are written), ready to
paste into NoiseScheduleTest.java. --check parses the literals from the Java tests and prints
(value in test, value from script, relative difference) for each, exiting 1 on any disagreement
beyond the test's own tolerance. Needs Python 3 and numpy.
"""

import decimal
import math
import pathlib
import re
import sys

import numpy as np

DEFAULTS = {
    "LINEAR": (1e-4, 0.02),
    "SCALED_LINEAR": (0.00085, 0.012),
    "COSINE": (1e-4, 0.02),  # ignored by the cosine formula
    "SIGMOID": (1e-4, 0.02),
}
MAX_COSINE_BETA = 0.999
HALF_RANGE_255 = 127.5

# (kind, T, t) rows pinned by NoiseScheduleTest.betasAndAlphaBarsMatchNumpyGoldenValues.
CASES = [
    ("LINEAR", 1000, 0), ("LINEAR", 1000, 1), ("LINEAR", 1000, 500), ("LINEAR", 1000, 999),
    ("LINEAR", 50, 1), ("LINEAR", 50, 25), ("LINEAR", 50, 49),
    ("SCALED_LINEAR", 1000, 0), ("SCALED_LINEAR", 1000, 1), ("SCALED_LINEAR", 1000, 500),
    ("SCALED_LINEAR", 1000, 999), ("SCALED_LINEAR", 50, 25), ("SCALED_LINEAR", 50, 49),
    ("COSINE", 1000, 0), ("COSINE", 1000, 1), ("COSINE", 1000, 500), ("COSINE", 1000, 999),
    ("COSINE", 50, 0), ("COSINE", 50, 25), ("COSINE", 50, 49),
    ("SIGMOID", 1000, 0), ("SIGMOID", 1000, 1), ("SIGMOID", 1000, 500), ("SIGMOID", 1000, 999),
    ("SIGMOID", 50, 1), ("SIGMOID", 50, 25),
]
SIGMA_T = [0, 99, 999]                        # sigmaEquiv golden values, LINEAR T=1000
SIGMA_QUERIES = ["25.0", "50.0", "5.0", "0.0", "1e9"]   # timestepForSigma, LINEAR T=1000 (as written)
CLI_T = [0, 56, 999]                          # CliTest schedule CSV rows, LINEAR T=1000
FORWARD_T = 500                               # ForwardProcessTest alpha_bar, LINEAR T=1000


# ---------------------------------------------------------------------------- float64 (numpy)
def betas_f64(kind, big_t, b0=None, b1=None):
    d0, d1 = DEFAULTS[kind]
    b0 = d0 if b0 is None else b0
    b1 = d1 if b1 is None else b1
    if kind == "LINEAR":
        return np.linspace(b0, b1, big_t, dtype=np.float64)
    if kind == "SCALED_LINEAR":
        return np.linspace(math.sqrt(b0), math.sqrt(b1), big_t, dtype=np.float64) ** 2
    if kind == "COSINE":
        def f(u):  # as diffusers' betas_for_alpha_bar(alpha_transform_type="cosine"), math.cos
            c = math.cos((u + 0.008) / 1.008 * math.pi / 2)
            return c * c
        return np.array([min(1 - f((i + 1) / big_t) / f(i / big_t), MAX_COSINE_BETA)
                         for i in range(big_t)], dtype=np.float64)
    if kind == "SIGMOID":
        x = np.linspace(-6.0, 6.0, big_t, dtype=np.float64)
        return np.array([1.0 / (1.0 + math.exp(-v)) for v in x]) * (b1 - b0) + b0
    raise ValueError(kind)


def schedule_f64(kind, big_t, b0=None, b1=None):
    betas = betas_f64(kind, big_t, b0, b1)
    alpha_bars = np.cumprod(1.0 - betas)
    prod, loop = 1.0, []          # the product in plain sequential order, as a sanity check
    for b in betas:
        prod *= 1.0 - float(b)
        loop.append(prod)
    assert np.array_equal(alpha_bars, np.array(loop)), "cumprod is not sequential"
    return betas, alpha_bars


def sigma_equiv(ab):
    return HALF_RANGE_255 * math.sqrt((1.0 - ab) / ab)


def timestep_for_sigma(alpha_bars, sigma):
    best, best_d = 0, math.inf     # closest sigma_equiv, ties to the smaller t
    for t, ab in enumerate(alpha_bars):
        d = abs(sigma_equiv(float(ab)) - sigma)
        if d < best_d:
            best, best_d = t, d
    return best


# ------------------------------------------------------------- 60-digit cross-check (decimal)
D = decimal.Decimal


def _pi():
    decimal.getcontext().prec += 2
    three = D(3)
    lasts, t, s, n, na, d, da = 0, three, 3, 1, 0, 0, 24
    while s != lasts:
        lasts = s
        n, na = n + na, na + 8
        d, da = d + da, da + 32
        t = (t * n) / d
        s += t
    decimal.getcontext().prec -= 2
    return +s


def _cos(x):
    decimal.getcontext().prec += 2
    i, lasts, s, fact, num, sign = 0, 0, D(1), 1, 1, 1
    while s != lasts:
        lasts = s
        i += 2
        fact *= i * (i - 1)
        num *= x * x
        sign *= -1
        s += num / fact * sign
    decimal.getcontext().prec -= 2
    return +s


def schedule_exact(kind, big_t):
    decimal.getcontext().prec = 60
    b0, b1 = (D(repr(v)) for v in DEFAULTS[kind])

    def lin(a, b):
        return [a + (b - a) * i / (big_t - 1) for i in range(big_t)]

    if kind == "LINEAR":
        betas = lin(b0, b1)
    elif kind == "SCALED_LINEAR":
        betas = [v * v for v in lin(b0.sqrt(), b1.sqrt())]
    elif kind == "COSINE":
        pi = _pi()

        def f(u):
            return _cos((u + D("0.008")) / D("1.008") * pi / 2) ** 2
        betas = [min(1 - f(D(i + 1) / big_t) / f(D(i) / big_t), D("0.999")) for i in range(big_t)]
    else:
        betas = [1 / (1 + (-x).exp()) * (b1 - b0) + b0 for x in lin(D(-6), D(6))]
    prod, abars = D(1), []
    for b in betas:
        prod *= 1 - b
        abars.append(prod)
    return betas, abars


# ----------------------------------------------------------------------------------- output
def java_lines():
    out = ["  @CsvSource({"]
    cache = {}
    for kind, big_t, t in CASES:
        betas, abars = cache.setdefault((kind, big_t), schedule_f64(kind, big_t))
        out.append(f'    "{kind}, {big_t}, {t}, {float(betas[t])!r}, {float(abars[t])!r}",')
    out.append("  })")
    _, abars = schedule_f64("LINEAR", 1000)
    out.append("")
    out.append("    // sigmaEquivalentMatchesGoldenValuesOfTheLinearSchedule (LINEAR, T=1000)")
    for t in SIGMA_T:
        out.append(f"    assertThat(s.sigmaEquiv({t})).isCloseTo({sigma_equiv(float(abars[t]))!r}, ...);")
    out.append("")
    out.append("  // timestepForSigmaPicksTheClosestSigmaEquivalent (LINEAR, T=1000)")
    cells = ", ".join(f'"{q}, {timestep_for_sigma(abars, float(q))}"' for q in SIGMA_QUERIES)
    out.append(f"  @CsvSource({{{cells}}})")
    out.append("")
    out.append("    // customBetaRangeIsUsedByTheLinearSchedule (LINEAR, T=3, 0.1..0.3)")
    b, ab = schedule_f64("LINEAR", 3, 0.1, 0.3)
    out.append(f"    // betas = {[float(v) for v in b]!r}, alphaBar(2) = {float(ab[2])!r}"
               f" (0.9 * 0.8 * 0.7 = {0.9 * 0.8 * 0.7!r})")
    out.append("")
    out.append("    // flink-jobs CliTest.scheduleCsv...: assertRow(line, t, beta, alpha_bar, sigma_equiv)")
    b, ab = schedule_f64("LINEAR", 1000)
    for t in CLI_T:
        out.append(f"    assertRow(lines.get({t + 1}), {t}, {float(b[t])!r}, {float(ab[t])!r}, "
                   f"{sigma_equiv(float(ab[t]))!r});")
    out.append("")
    out.append(f"    // ForwardProcessTest: alphaBar_{FORWARD_T} of the linear schedule")
    out.append(f"    double ab = {float(ab[FORWARD_T])!r};")
    return out


# ------------------------------------------------------------------------------------ check
ROOT = pathlib.Path(__file__).resolve().parents[5]
SCHEDULE_TEST = ROOT / "model/src/test/java/ai/diffad/model/schedule/NoiseScheduleTest.java"
CLI_TEST = ROOT / "flink-jobs/src/test/java/ai/diffad/cli/CliTest.java"
FORWARD_TEST = ROOT / "model/src/test/java/ai/diffad/model/ForwardProcessTest.java"


def check(exact):
    rows = []   # (label, literal text, script value, tolerance kind, tolerance)
    src = SCHEDULE_TEST.read_text()
    cache = {}

    def sched(kind, big_t):
        return cache.setdefault((kind, big_t), schedule_f64(kind, big_t))

    for m in re.finditer(r'"(LINEAR|SCALED_LINEAR|COSINE|SIGMOID), (\d+), (\d+), ([^,]+), ([^"]+)"', src):
        kind, big_t, t = m.group(1), int(m.group(2)), int(m.group(3))
        b, ab = sched(kind, big_t)
        rows.append((f"{kind} T={big_t} t={t} beta", m.group(4), float(b[t]), "rel", 1e-12, (kind, big_t, t, 0)))
        rows.append((f"{kind} T={big_t} t={t} alpha_bar", m.group(5), float(ab[t]), "rel", 1e-12, (kind, big_t, t, 1)))
    _, lab = sched("LINEAR", 1000)
    for m in re.finditer(r"sigmaEquiv\((\d+)\)\)\.isCloseTo\(([^,]+), within\(([^)]+)\)\)", src):
        t = int(m.group(1))
        rows.append((f"LINEAR T=1000 t={t} sigma_equiv", m.group(2), sigma_equiv(float(lab[t])),
                     "abs", float(m.group(3)), ("LINEAR", 1000, t, 2)))
    m = re.search(r'@CsvSource\(\{("[\d.e]+, \d+"(?:, "[\d.e]+, \d+")*)\}\)\s*void timestepForSigma', src)
    for q, want in re.findall(r'"([\d.e]+), (\d+)"', m.group(1)):
        rows.append((f"timestepForSigma({q})", want, timestep_for_sigma(lab, float(q)), "int", 0, None))
    b3, ab3 = schedule_f64("LINEAR", 3, 0.1, 0.3)
    for i, lit in enumerate(("0.1", "0.2", "0.3")):
        rows.append((f"LINEAR T=3 0.1..0.3 beta[{i}]", lit, float(b3[i]), "abs", 1e-15, None))
    rows.append(("LINEAR T=3 0.1..0.3 alpha_bar[2]", "0.9 * 0.8 * 0.7", float(ab3[2]), "abs", 1e-15, None))

    for m in re.finditer(r"assertRow\(lines\.get\(\d+\), (\d+), ([^,]+), ([^,]+), ([^)]+)\);", CLI_TEST.read_text()):
        t = int(m.group(1))
        b, ab = sched("LINEAR", 1000)
        for name, lit, v, j in (("beta", m.group(2), float(b[t]), 0), ("alpha_bar", m.group(3), float(ab[t]), 1),
                                ("sigma_equiv", m.group(4), sigma_equiv(float(ab[t])), 2)):
            rows.append((f"CliTest t={t} {name}", lit, v, "rel", 1e-12, ("LINEAR", 1000, t, j)))
    m = re.search(r"double ab = ([^;]+);", FORWARD_TEST.read_text())
    rows.append((f"ForwardProcessTest t={FORWARD_T} alpha_bar", m.group(1), float(lab[FORWARD_T]),
                 "rel", 1e-12, ("LINEAR", 1000, FORWARD_T, 1)))

    exact_cache = {}
    bad = 0
    head = f"{'quantity':44} {'value in test':>26} {'value from script':>26} {'rel diff':>9}  ok"
    if exact:
        head += "   float64 vs 60-digit"
    print(head)
    for label, lit, v, tol_kind, tol, key in rows:
        want = eval(lit) if "*" in lit else (int(lit) if tol_kind == "int" else float(lit))
        if tol_kind == "int":
            ok, rel, same = want == v, 0.0 if want == v else math.inf, want == v
        else:
            rel = abs(v - want) / abs(want) if want else abs(v)
            ok = abs(v - want) <= (tol * abs(want) if tol_kind == "rel" else tol)
            same = v == want
        bad += not ok
        line = f"{label:44} {lit:>26} {v!r:>26} {rel:9.1e}  {'yes' if ok else 'NO'}{'' if same else ' (not bit-identical)'}"
        if exact and key is not None:
            kind, big_t, t, j = key
            eb, eab = exact_cache.setdefault((kind, big_t), schedule_exact(kind, big_t))
            if j == 2:
                decimal.getcontext().prec = 60
                ex = D(HALF_RANGE_255) * ((1 - eab[t]) / eab[t]).sqrt()
            else:
                ex = (eb, eab)[j][t]
            line += f"   {float(abs((D(v) - ex) / ex)):.1e}"
        print(line)
    print(f"{len(rows)} values compared, {bad} outside the test's tolerance")
    return bad == 0


if __name__ == "__main__":
    if "--check" in sys.argv or "--exact" in sys.argv:
        sys.exit(0 if check("--exact" in sys.argv) else 1)
    print("\n".join(java_lines()))
