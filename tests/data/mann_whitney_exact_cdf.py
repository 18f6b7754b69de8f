#!/usr/bin/python3
"""Writes mann_whitney_exact_cdf.txt: exact CDF values of the Mann-Whitney U null distribution.

Counts come from the same generating function as augur's Harding procedure, but in Python's
unbounded integers, so they are exact; each CDF is printed to 25 significant digits. Reference for
tests/judges/mann_whitney_distribution_test.cc. Run: /usr/bin/python3 tests/data/mann_whitney_exact_cdf.py
"""
from decimal import Decimal, getcontext
from math import comb
import os

getcontext().prec = 40


def counts(n, m):
    half = n * m // 2
    k, longer = min(n, m), max(n, m)
    c = [0] * (half + 1)
    c[0] = 1
    for i in range(1, k + 1):
        for u in range(half, longer + i - 1, -1):
            c[u] -= c[u - longer - i]
        for u in range(i, half + 1):
            c[u] += c[u - i]
    return c


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mann_whitney_exact_cdf.txt")
with open(out, "w") as f:
    f.write("# n m u P(U<=u) exact to 25 significant digits; made by mann_whitney_exact_cdf.py\n")
    for n, m in [(300, 300), (400, 400), (100, 1600), (37, 41)]:
        c = counts(n, m)
        half = n * m // 2
        total = comb(n + m, n)
        cum, cdf = 0, []
        for v in c:
            cum += v
            cdf.append(cum)
        points = {0, 1, 10, 100, 1000, half // 4, half // 2, 3 * half // 4, half - 100, half - 1,
                  half}
        for u in sorted(u for u in points if 0 <= u <= half):
            p = Decimal(cdf[u]) / Decimal(total)
            f.write(f"{n} {m} {u} {p:.24e}\n")
