# Every third-party dependency is found here, and only here. Each comes from a Debian
# bookworm package that scripts/setup installs; nothing is downloaded at build time.

find_package(absl REQUIRED)                     # libabsl-dev: Status, StatusOr, Span, strings
find_package(CLI11 REQUIRED)                    # libcli11-dev: the augur command line
find_package(yaml-cpp REQUIRED)                 # libyaml-cpp-dev: analysis templates
find_package(nlohmann_json REQUIRED)            # nlohmann-json3-dev: Kayenta configs; tests
find_package(Boost 1.74 REQUIRED)               # libboost-dev: Boost.Math distributions (judges)
find_package(CURL 7.88 REQUIRED)                # libcurl4-openssl-dev: providers/prometheus only

if(AUGUR_BUILD_TESTS)
  find_package(GTest REQUIRED)                  # libgtest-dev, libgmock-dev
endif()
if(AUGUR_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)              # libbenchmark-dev
endif()
