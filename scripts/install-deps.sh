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

# Optional: CBC 2.10's runtime library (coinor-libcbc3 provides libCbcSolver.so.3),
# a second exact solver that OptoPlan opens at run time (`--solver cbc`).
# OptoPlan builds and runs without it; CI installs it so CBC is tested for real.
# Set OPTOPLAN_NO_CBC=1 to skip it (the CBC tests are then skipped).
if [ -z "${OPTOPLAN_NO_CBC:-}" ] && ! ldconfig -p 2>/dev/null | grep -q 'libCbcSolver\.so'; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if apt-cache show coinor-libcbc3 >/dev/null 2>&1 || { $SUDO apt-get update -qq && apt-cache show coinor-libcbc3 >/dev/null 2>&1; }; then
    echo "install-deps: installing coinor-libcbc3 (optional CBC solver)" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends coinor-libcbc3 >/dev/null \
      || echo "install-deps: could not install coinor-libcbc3; continuing without CBC" >&2
  else
    echo "install-deps: coinor-libcbc3 is not in the package lists; continuing without CBC" >&2
  fi
fi

# Optional: pandas for the Python client's DataFrame tests (python/tests).
# Without it (no pip, no network, an externally managed Python) those tests
# skip with a note. Set OPTOPLAN_NO_PYTHON_DEPS=1 to skip this step.
if [ -z "${OPTOPLAN_NO_PYTHON_DEPS:-}" ] && command -v python3 >/dev/null 2>&1 \
    && ! python3 -c "import pandas" >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
  echo "install-deps: installing pandas from PyPI (optional, for the Python client's tests)" >&2
  python3 -m pip install --quiet --disable-pip-version-check pandas >/dev/null 2>&1 \
    || echo "install-deps: could not install pandas; its Python tests will be skipped" >&2
fi
