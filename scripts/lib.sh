# Shared helpers for scripts/*. Source it; do not run it.

# apt_install PACKAGE...: installs the Debian packages that are not installed yet, without
# questions. Works as root (no sudo needed) and, through sudo, as another user.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "scripts: installing ${missing[*]}" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# Every Debian package that building, testing and the demo need. Keep in step with
# cmake/Dependencies.cmake.
AUGUR_PACKAGES=(
  g++ cmake ninja-build          # toolchain
  libabsl-dev                    # Status, StatusOr, Span, strings
  libcli11-dev                   # the command line
  libcurl4-openssl-dev           # HTTP client of the Prometheus provider
  libyaml-cpp-dev                # analysis templates
  libboost-dev                   # Boost.Math distributions (judges: rate test)
  nlohmann-json3-dev             # JSON: Kayenta configs (import) and Kayenta's test vectors
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler  # the gRPC API
  prometheus-cpp-dev             # /metrics of augur serve
  libcivetweb-dev civetweb       # the HTTP listener of augur serve (civetweb: its CMake config
                                 # wants /usr/bin/civetweb, which libcivetweb-dev does not pull in)
  libsqlite3-dev                 # the run store of augur serve
  python3-grpcio python3-protobuf  # tests: the gRPC API from another language (/usr/bin/python3)
  libgtest-dev libgmock-dev      # unit tests
  libbenchmark-dev               # bench/
  prometheus                     # real metrics backend for tests, benchmarks and the demo
  victoria-metrics               # a second Prometheus-API backend the tests check against
  openssl apache2-utils          # tests: TLS certificates (openssl), bcrypt hashes (htpasswd)
  curl                           # bench/: the reference client for Prometheus' own answer time
  chromium                       # tests: the HTML report in a real browser (headless)
  python3-yaml                   # tests: the Kubernetes manifests and controller examples
  clang libclang-rt-14-dev       # scripts/fuzz: clang's libFuzzer and sanitizer runtimes
)
