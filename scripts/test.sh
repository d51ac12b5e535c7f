#!/usr/bin/env bash
# Install migspec, its test dependencies and the system tools the tests run
# for real (Graphviz dot, headless Chromium), then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null || ! command -v chromium >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq graphviz chromium >/dev/null
    else
        echo "note: install graphviz and chromium (Debian packages) for the full suite" >&2
    fi
fi
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[test]'
python3 -m pytest -n auto -q "$@"
