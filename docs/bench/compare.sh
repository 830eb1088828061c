#!/usr/bin/env bash
# Regenerate and print the predictord-vs-Python-libraries comparison table (docs/comparison.md).
#
#   docs/bench/compare.sh [PREDICTORD_BINARY]
#
# Without an argument predictord is built with `swift build -c release` and taken from --show-bin-path. The core
# speed figures come from `predictord-bench core`, which must sit next to the predictord binary (both are built).
# The Python libraries (docs/bench/requirements.txt) are installed with pip into a virtual environment outside the
# repository: $PREDICTORD_BENCH_VENV (default ~/.cache/predictord-bench-venv). The generated data (≈ 45 MB) goes
# to $PREDICTORD_BENCH_DATA (default: a temporary directory, removed afterwards). Takes ≈ 10–30 s after the build.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ $# -ge 1 ]]; then
    bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
    (cd "$root" && swift build -c release >&2)
    bin="$(cd "$root" && swift build -c release --show-bin-path)/predictord"
fi
[[ -x "$bin" ]] || { echo "compare.sh: no predictord binary at $bin" >&2; exit 1; }
[[ -x "$(dirname "$bin")/predictord-bench" ]] || { echo "compare.sh: no predictord-bench next to $bin (swift build -c release builds both)" >&2; exit 1; }

venv="${PREDICTORD_BENCH_VENV:-$HOME/.cache/predictord-bench-venv}"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" >&2
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2

data="${PREDICTORD_BENCH_DATA:-}"
if [[ -z "$data" ]]; then
    data="$(mktemp -d)"
    trap 'rm -rf "$data"' EXIT
fi
"$venv/bin/python" "$here/gen_data.py" "$data"
"$venv/bin/python" "$here/compare.py" "$bin" "$data"
