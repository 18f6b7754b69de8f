#!/usr/bin/env bash
# Times augur's Mann-Whitney kernel against R's wilcox.test(x, y, conf.int = TRUE) on the same
# data (x ~ N(0.05, 1), y ~ N(0, 1), written by R with set.seed(1)), and augur's whole command
# (`augur stats mann-whitney`, parsing included) with hyperfine, plus its peak RSS.
#
#   bench/compare_r.sh [SIZES...]        default sizes: 1000 20000 1000000
#
# R is timed for sizes up to 100000 only (R needs minutes beyond). Installs r-base-core,
# hyperfine and time with apt-get if they are missing; builds the release preset.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 20000 1000000)

apt_install r-base-core hyperfine time
cmake --preset release >/dev/null
cmake --build --preset release --target augur time_mann_whitney_files >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| n = m | R wilcox.test (s) | augur kernel (ms) | speed-up | augur CLI incl. parsing (ms) | augur CLI peak RSS (MB) | r-compatible = R? | exact = R's limit? |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  x="$work/x$n.txt"; y="$work/y$n.txt"
  Rscript -e "set.seed(1); n <- $n; writeLines(sprintf('%.17g', rnorm(n, 0.05, 1)), '$x'); writeLines(sprintf('%.17g', rnorm(n, 0, 1)), '$y')"
  r_compatible="-"
  if [ "$n" -le 100000 ]; then
    r_seconds=$(Rscript -e "x <- scan('$x', quiet=TRUE); y <- scan('$y', quiet=TRUE);
      t <- replicate(3, system.time(wilcox.test(x, y, conf.int=TRUE))[['elapsed']]); cat(median(t))")
    r_numbers=$(Rscript -e "x <- scan('$x', quiet=TRUE); y <- scan('$y', quiet=TRUE)
      r <- wilcox.test(x, y, conf.int=TRUE); cat(sprintf('%.17g %.17g %.17g', r\$estimate, r\$conf.int[1], r\$conf.int[2]))")
    read -r _ _ _ _ est lo hi < <(build/release/bin/time_mann_whitney_files "$x" "$y" 1 r-compatible)
    [ "$est $lo $hi" = "$r_numbers" ] && r_compatible="yes, bit for bit" || r_compatible="NO ($est $lo $hi vs $r_numbers)"
  else
    r_seconds="(not run)"
  fi
  read -r _ _ kernel_ms _ _ _ _ < <(build/release/bin/time_mann_whitney_files "$x" "$y" 7)
  cli_ms=$(hyperfine -N --style none --warmup 1 --runs 5 --export-json "$work/h.json" \
    "build/release/bin/augur stats mann-whitney --canary $x --baseline $y" >/dev/null 2>&1 &&
    /usr/bin/python3 -c "import json; print('%.1f' % (1000 * json.load(open('$work/h.json'))['results'][0]['median']))")
  rss_kb=$( { /usr/bin/time -v build/release/bin/augur stats mann-whitney --canary "$x" --baseline "$y" >/dev/null; } 2>&1 |
    awk '/Maximum resident set size/ {print $6}')
  speedup="-"
  if [ "$r_seconds" != "(not run)" ]; then
    speedup=$(awk -v r="$r_seconds" -v a="$kernel_ms" 'BEGIN { printf "%.0fx", 1000 * r / a }')
  fi
  # R's root search at tolerance 1e-300, snapped to the nearest pairwise difference, equals
  # augur's interval (checked where R can hold the n*m differences).
  same="-"
  if [ "$n" -le 5000 ]; then
    limit=$(Rscript -e "options(digits=17); x <- scan('$x', quiet=TRUE); y <- scan('$y', quiet=TRUE)
      D <- sort(outer(x, y, '-')); r <- wilcox.test(x, y, conf.int=TRUE, tol.root=1e-300)\$conf.int
      cat(sprintf('%.17g %.17g', D[which.min(abs(D - r[1]))], D[which.min(abs(D - r[2]))]))")
    read -r _ _ _ _ _ lo hi < <(build/release/bin/time_mann_whitney_files "$x" "$y" 1)
    [ "$lo $hi" = "$limit" ] && same="yes" || same="NO ($lo $hi vs $limit)"
  fi
  printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n" "$n" "$r_seconds" "$kernel_ms" "$speedup" "$cli_ms" \
    "$((rss_kb / 1024))" "$r_compatible" "$same"
done
