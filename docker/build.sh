#!/bin/sh
# docker/build.sh STEP - the steps of the bench image (docker/Dockerfile),
# in one place: the Dockerfile's RUN lines call it, and scripts/check-image
# runs those same RUN lines in a Debian root made with debootstrap (no Docker
# engine needed), so the image and its check cannot drift apart.
#
#   build-deps          apt-get install the compilers and the client
#                       libraries' -dev packages
#   build               configure and build bench into ./build (run in the
#                       source directory), then print its version
#   runtime-list FILE   the packages that own the shared libraries
#                       build/bench links, one per line, into FILE; fails
#                       when a library has no owner
#   runtime FILE        apt-get install FILE's packages, gnuplot-nox (charts)
#                       and ca-certificates; the user `bench` (uid 1000) and
#                       /bench/results it may write
set -eu

build_packages="build-essential cmake pkg-config libhiredis-dev libssl-dev libmemcached-dev libmongoc-dev libbson-dev libyaml-dev libjansson-dev zlib1g-dev libzstd-dev"
runtime_extra="gnuplot-nox ca-certificates"

apt_install() {
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
  rm -rf /var/lib/apt/lists/*
}

case "${1:-}" in
build-deps)
  # shellcheck disable=SC2086 # a list of package names
  apt_install $build_packages
  ;;
build)
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
  cmake --build build -j"$(nproc)" --target bench
  build/bench --version
  ;;
runtime-list)
  out=${2:?usage: build.sh runtime-list FILE}
  : >"$out.tmp"
  # ldd may name a library by its /lib path, which on a merged-/usr system
  # dpkg knows only under /usr/lib: ask for the file the path resolves to.
  for lib in $(ldd build/bench | awk '/=> \// {print $3}'); do
    real=$(readlink -f "$lib")
    owner=$( (dpkg -S "$real" || dpkg -S "$lib") 2>/dev/null | head -n 1)
    [ -n "$owner" ] || { echo "build.sh: no package owns $lib ($real)" >&2; exit 1; }
    echo "${owner%%:*}" >>"$out.tmp"
  done
  sort -u "$out.tmp" >"$out"
  rm -f "$out.tmp"
  cat "$out"
  ;;
runtime)
  list=${2:?usage: build.sh runtime FILE}
  # shellcheck disable=SC2046,SC2086 # lists of package names
  apt_install $(cat "$list") $runtime_extra
  useradd --create-home --uid 1000 bench
  mkdir -p /bench/results
  chown bench /bench/results
  ;;
*)
  echo "usage: docker/build.sh build-deps | build | runtime-list FILE | runtime FILE" >&2
  exit 2
  ;;
esac
