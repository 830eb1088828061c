#!/usr/bin/env bash
# Gaussian-emission HMM vs the constant-variance rls on daily returns (docs/forecasting.md, "Regimes").
#
#   docs/bench/regimes.sh [PREDICTORD_BINARY]
#
# Uses forecast.sh's virtual environment ($PREDICTORD_FORECAST_VENV, default ~/.cache/predictord-forecast-venv),
# with hmmlearn added from forecast_requirements.txt; without an argument predictord is built with
# `swift build -c release`. Takes under a minute after the build.
set -euo pipefail
export PYTHONWARNINGS=ignore PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ $# -ge 1 ]]; then
    bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
    (cd "$root" && swift build -c release >&2)
    bin="$(cd "$root" && swift build -c release --show-bin-path)/predictord"
fi
venv="${PREDICTORD_FORECAST_VENV:-$HOME/.cache/predictord-forecast-venv}"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" >&2
nice -n 10 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/forecast_requirements.txt" >&2
nice -n 10 "$venv/bin/python" "$here/regimes.py" "$bin" "$root/Config/predictord.yaml" "$root"
