# Every third-party dependency is found here, and only here. Each comes from a Debian
# bookworm package that scripts/setup installs; nothing is downloaded at build time.

find_package(absl REQUIRED)                     # libabsl-dev: Status, StatusOr, Span, strings
find_package(CLI11 REQUIRED)                    # libcli11-dev: the augur command line
find_package(yaml-cpp REQUIRED)                 # libyaml-cpp-dev: analysis templates
find_package(nlohmann_json REQUIRED)            # nlohmann-json3-dev: Kayenta configs; tests
find_package(Boost 1.74 REQUIRED)               # libboost-dev: Boost.Math distributions (judges)
find_package(CURL 7.88 REQUIRED)                # libcurl4-openssl-dev: providers/prometheus only
# service/ only: the gRPC API, its run store, /metrics and the HTTP listener.
find_package(Protobuf 3.21 REQUIRED)            # libprotobuf-dev, protobuf-compiler (module mode)
find_package(gRPC 1.51 CONFIG REQUIRED)         # libgrpc++-dev, protobuf-compiler-grpc
find_package(prometheus-cpp CONFIG REQUIRED)  # prometheus-cpp-dev 1.0 (no version file): /metrics
find_package(SQLite3 3.40 REQUIRED)             # libsqlite3-dev: the run store
# libcivetweb-dev 1.15: the HTTP listener of `augur serve`. Plain C that needs only libc and does
# nothing until mg_init_library/mg_start, unlike cpp-httplib, whose static initialiser ran
# OpenSSL's init in every process that linked it, `augur analyze` included. Its config requires
# /usr/bin/civetweb (package civetweb) to exist.
find_package(civetweb 1.15 CONFIG REQUIRED)

if(AUGUR_BUILD_TESTS)
  find_package(GTest REQUIRED)                  # libgtest-dev, libgmock-dev
endif()
if(AUGUR_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)              # libbenchmark-dev
endif()

# The release binary links Abseil, yaml-cpp, gRPC, protobuf and libstdc++ statically (Debian
# ships the archives beside the shared libraries): with 26 Abseil libraries the dynamic loader was
# a third of a small analysis' own time, and gRPC's 56 shared libraries would add 5 ms to every
# `augur analyze` (docs/performance.md). OpenSSL, zlib and libcurl stay shared: libcurl loads the
# first two anyway. Tests keep the shared libraries.
option(AUGUR_STATIC_THIRD_PARTY "Link Abseil, yaml-cpp, gRPC, protobuf and libstdc++ statically" OFF)
if(AUGUR_STATIC_THIRD_PARTY)
  get_directory_property(augur_imported_targets IMPORTED_TARGETS)
  foreach(target IN LISTS augur_imported_targets)
    if(NOT target MATCHES "^(absl|gRPC)::" AND
       NOT target MATCHES "^(yaml-cpp|re2::re2|c-ares::cares|protobuf::libprotobuf|SQLite::SQLite3)$")
      continue()
    endif()
    get_target_property(type ${target} TYPE)
    if(target STREQUAL "re2::re2" AND type STREQUAL "INTERFACE_LIBRARY")
      # gRPC's Findre2 links it by pkg-config flags (-lre2): name the archive instead.
      find_library(augur_re2_archive NAMES libre2.a REQUIRED)
      set_target_properties(re2::re2 PROPERTIES INTERFACE_LINK_LIBRARIES "${augur_re2_archive}")
      continue()
    endif()
    if(NOT type STREQUAL "SHARED_LIBRARY" AND NOT type STREQUAL "UNKNOWN_LIBRARY")
      continue()
    endif()
    set(location_property "")
    foreach(property IMPORTED_LOCATION_NONE IMPORTED_LOCATION_RELEASE IMPORTED_LOCATION)
      get_target_property(location ${target} ${property})
      if(location)
        set(location_property ${property})  # the loop variable does not outlive the loop
        break()
      endif()
    endforeach()
    if(NOT location OR NOT location MATCHES "\\.so")
      continue()
    endif()
    string(REGEX REPLACE "\\.so(\\.[0-9.]+)?$" ".a" archive "${location}")
    if(NOT EXISTS "${archive}")
      message(FATAL_ERROR "AUGUR_STATIC_THIRD_PARTY: no static archive ${archive} for ${target}")
    endif()
    set_target_properties(${target} PROPERTIES ${location_property} "${archive}"
                                               IMPORTED_NO_SONAME TRUE)
  endforeach()
  # libstdc++ stays shared: prometheus-cpp, a C++ library Debian ships only as a shared object,
  # loads it anyway, and one process must not hold two copies of it.
endif()
