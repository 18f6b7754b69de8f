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

# The release binary links Abseil, yaml-cpp and libstdc++ statically (Debian ships the archives
# beside the shared libraries): with 26 Abseil libraries the dynamic loader was a third of a small
# analysis' own time (docs/performance.md). Tests keep the shared libraries.
option(AUGUR_STATIC_THIRD_PARTY "Link Abseil, yaml-cpp and libstdc++ statically" OFF)
if(AUGUR_STATIC_THIRD_PARTY)
  get_directory_property(augur_imported_targets IMPORTED_TARGETS)
  foreach(target IN LISTS augur_imported_targets)
    if(NOT target MATCHES "^absl::" AND NOT target STREQUAL "yaml-cpp")
      continue()
    endif()
    get_target_property(type ${target} TYPE)
    if(NOT type STREQUAL "SHARED_LIBRARY")
      continue()
    endif()
    get_target_property(location ${target} IMPORTED_LOCATION_NONE)
    string(REGEX REPLACE "\\.so(\\.[0-9.]+)?$" ".a" archive "${location}")
    if(NOT EXISTS "${archive}")
      message(FATAL_ERROR "AUGUR_STATIC_THIRD_PARTY: no static archive ${archive} for ${target}")
    endif()
    set_target_properties(${target} PROPERTIES IMPORTED_LOCATION_NONE "${archive}"
                                               IMPORTED_NO_SONAME TRUE)
  endforeach()
  # libstdc++'s thousands of symbols were most of the loader's remaining lookups.
  add_link_options(-static-libstdc++ -static-libgcc)
endif()
