#!/usr/bin/env bash
# Regenerate the real-data forecasting benchmark, one step and six steps ahead (docs/forecasting.md,
# docs/forecasting/*.png).
#
#   docs/bench/forecast.sh [PREDICTORD_BINARY]
#
# Without an argument predictord is built as systemd/install.sh builds it (`swift build -c release
# --static-swift-stdlib`, scratch path .build-static) and taken from --show-bin-path.
# The Python libraries (docs/bench/forecast_requirements.txt) are installed with pip into a virtual environment
# outside the repository: $PREDICTORD_FORECAST_VENV (default ~/.cache/predictord-forecast-venv). The series are
# files shipped inside those packages (nothing is downloaded at run time).
# Options by environment: PREDICTORD_FORECAST_CONFIG (default Config/predictord.yaml),
# PREDICTORD_FORECAST_MODEL (default `forecast` when that model is configured, else `series`).
# Runs under nice -n 10, one process at a time; takes about 20 minutes on 2 cores after the build.
set -euo pipefail
export PYTHONWARNINGS=ignore PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ $# -ge 1 ]]; then
    bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
    # Built as systemd/install.sh builds the shipped binary (Swift runtime linked statically), so that the speed
    # figures include the process start users get.
    (cd "$root" && swift build -c release --static-swift-stdlib --scratch-path .build-static --product predictord >&2)
    bin="$(cd "$root" && swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/predictord"
fi
[[ -x "$bin" ]] || { echo "forecast.sh: no predictord binary at $bin" >&2; exit 1; }

config="${PREDICTORD_FORECAST_CONFIG:-$root/Config/predictord.yaml}"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
model="${PREDICTORD_FORECAST_MODEL:-}"
if [[ -z "$model" ]]; then
    if echo '{"seq":0,"y":1}' | "$bin" replay --config "$config" --model forecast - >/dev/null 2>&1; then
        model=forecast
    else
        model=series
    fi
fi
echo "forecast.sh: predictord $bin, model $model of $config" >&2

venv="${PREDICTORD_FORECAST_VENV:-$HOME/.cache/predictord-forecast-venv}"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" >&2
fi
nice -n 10 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/forecast_requirements.txt" >&2

nice -n 10 "$venv/bin/python" "$here/forecast.py" "$bin" "$config" "$model" "$root"
# Leads 1..6 from every origin of the second half, the univariate series (about ten minutes, most of it Theta's
# refit at every origin).
nice -n 10 "$venv/bin/python" "$here/horizon.py" "$bin" "$config" "$model" "$root"
# Regimes: a Gaussian-emission HMM against the constant-variance rls on daily returns (under a minute).
nice -n 10 "$venv/bin/python" "$here/regimes.py" "$bin" "$config" "$model" "$root"
