# Sourced by scripts/test and scripts/demo: make .venv if missing and activate it.
# PYTHON picks the interpreter (default python3, which must be >= 3.11: quic-multistream
# and the midstream meta-package need aioquic >= 1.4, which has no Python 3.10 release).

# This machine's pip config names local index folders that may not exist; pip warns
# about each on every call. Drop only that line, keep the exit status of the command.
quiet_pip_noise() { grep -v "is ignored: it is neither a file nor a directory" || true; }

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install --quiet --disable-pip-version-check --upgrade pip packaging 2>&1 | quiet_pip_noise
