# Provenance of the R known answers in tests/judges/mann_whitney_test.cc.
# Run with R 4.2.2 (Debian r-base-core 4.2.2.20221110-2):  Rscript tests/data/r_reference.R
# It writes the data files normal_1000_{x,y}.txt (if absent) and prints each wilcox.test call
# with its results at 17 significant digits. Nothing in the build or the tests runs it.
options(digits = 17, warn = 1)
here <- function(f) file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), f)

show <- function(label, x, y, ...) {
  r <- suppressWarnings(wilcox.test(x, y, conf.int = TRUE, ...))
  cat(sprintf("%s | W=%.17g p=%.17g est=%.17g ci=[%.17g, %.17g] method=%s\n", label,
              r$statistic, r$p.value, r$estimate, r$conf.int[1], r$conf.int[2], r$method))
}
# The order statistic nearest to R's bound when R's root search runs to (nearly) zero tolerance:
# what augur's default interval returns.
limit <- function(label, x, y, ...) {
  D <- sort(outer(x, y, "-"))
  r <- suppressWarnings(wilcox.test(x, y, conf.int = TRUE, tol.root = 1e-300, ...))
  snap <- function(v) if (is.finite(v)) D[which.min(abs(D - v))] else v
  cat(sprintf("%s | limit ci=[%.17g, %.17g] hl=%.17g\n", label, snap(r$conf.int[1]),
              snap(r$conf.int[2]), median(D)))
}

# R's ?wilcox.test two-sample example (Hollander & Wolfe): permeability constants.
x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)
y <- c(1.15, 0.88, 0.90, 0.74, 1.21)
show("hw two-sided", x, y)
show("hw greater", x, y, alternative = "greater")
show("hw less", x, y, alternative = "less")
show("hw two-sided conf=0.8", x, y, conf.level = 0.8)
show("hw never", x, y, exact = FALSE)
show("hw never nocorrect", x, y, exact = FALSE, correct = FALSE)
limit("hw never", x, y, exact = FALSE)

# Not achievable: 3 vs 3 at 98%.
show("3v3 conf=0.98", c(1, 2, 3), c(4, 5, 6), conf.level = 0.98)

# Ties: normal approximation with tie correction.
a <- c(1, 2, 2, 3, 4, 5, 5, 5, 8)
b <- c(2, 3, 3, 6, 7, 7, 9)
show("ties", a, b)
show("ties nocorrect", a, b, correct = FALSE)
show("ties greater", a, b, alternative = "greater")
show("ties less", a, b, alternative = "less")
limit("ties", a, b)
limit("ties nocorrect", a, b, correct = FALSE)
limit("ties greater", a, b, alternative = "greater")
limit("ties less", a, b, alternative = "less")

# Zero-heavy counters (error counts per scrape).
z1 <- c(rep(0, 40), 1, 1, 2, 3, 0.5, 7)
z2 <- c(rep(0, 45), 1, 2, 1)
show("zeros", z1, z2)
limit("zeros", z1, z2)

# Large n: continuous data, written once to tests/data with 17 significant digits.
fx <- here("normal_1000_x.txt"); fy <- here("normal_1000_y.txt")
if (!file.exists(fx)) {
  set.seed(20261122)
  writeLines(sprintf("%.17g", rnorm(1000, 0.05, 1)), fx)
  writeLines(sprintf("%.17g", rnorm(1000, 0, 1)), fy)
}
X <- scan(fx, quiet = TRUE); Y <- scan(fy, quiet = TRUE)
show("n1000", X, Y)
show("n1000 conf=0.98 nocorrect", X, Y, conf.level = 0.98, correct = FALSE)
show("n1000 greater", X, Y, alternative = "greater")
limit("n1000", X, Y)
limit("n1000 conf=0.98 nocorrect", X, Y, conf.level = 0.98, correct = FALSE)
show("n1000 scaled 1e-9", X * 1e-9, Y * 1e-9)
limit("n1000 scaled 1e-9", X * 1e-9, Y * 1e-9)
# Exact distribution beyond R's automatic limit: 60 vs 70 (R's own pwilcox, no ties).
show("n60v70 exact", X[1:60], Y[1:70], exact = TRUE)
