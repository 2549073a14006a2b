# Shared by scripts/demo and scripts/test: a project-local virtual environment.
PYTHON="${PYTHON:-python3}"

ensure_venv() {
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "Greenfolio needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
        exit 2
    fi
    if [ ! -x .venv/bin/python ]; then
        "$PYTHON" -m venv .venv
        .venv/bin/python -m pip install --quiet --upgrade pip
    fi
}

pip_install() {
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@"
}
