# Sourced by scripts/test and scripts/demo: make .venv if missing and activate it.
# PYTHON picks the interpreter (default python3, which must be >= 3.11: quic-multistream
# and the midstream meta-package need aioquic >= 1.4, which has no Python 3.10 release).

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "making .venv with $("$python" --version 2>&1)"
  "$python" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
# scripts/dev_install.py needs `packaging`; pip is upgraded once, when it is missing.
if ! python -c "import packaging" 2>/dev/null; then
  if ! python -m pip install --quiet --disable-pip-version-check --upgrade pip packaging \
      >.venv/pip-bootstrap.log 2>&1; then
    cat .venv/pip-bootstrap.log >&2
    echo "scripts/venv.sh: could not install pip and packaging into .venv (log above)" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
