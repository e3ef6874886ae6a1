#!/usr/bin/env bash
# Installs the system packages OptoPlan needs, when missing (Debian/Ubuntu).
#   libglpk-dev  GLPK's C library and glpk.h (the exact solver)
#   glpk-utils   glpsol, used by tests to solve exported models independently
#   libblas-dev  netlib CBLAS (cblas.h, libblas.so)
set -euo pipefail
packages=(libglpk-dev glpk-utils libblas-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
