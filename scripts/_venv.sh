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

# Install exactly the versions in a lock file (requirements/runtime.txt or test.txt, written
# by scripts/lock), each checked against its hash, then Greenfolio itself from this checkout.
# The build backend (setuptools) is in the lock too, hence no build isolation.
# setuptools' notes on editable installs are shown only if the install fails.
install_locked() {
    pip_install --require-hashes -r "$1"
    local log
    log="$(mktemp)"
    if ! pip_install --no-deps --no-build-isolation -e . 2>"$log"; then
        cat "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    # A dependency added to pyproject.toml but not to the lock shows up here, not as an
    # ImportError halfway through the tests.
    if ! .venv/bin/python -m pip check >"$log" 2>&1; then
        cat "$log" >&2
        echo "the installed packages do not match pyproject.toml (above);" \
            "if it changed, run ./scripts/lock" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    # setup.py builds the compiled IATI reader only where a C compiler and Python's headers
    # are at hand, and pip says nothing when it is left out: say it here.
    if ! .venv/bin/python -c "import greenfolio.services.exchange.iati_native" 2>/dev/null; then
        echo "note: the fast IATI reader was not compiled (it needs a C compiler and Python's" \
            "headers, e.g. Debian's gcc and python3-dev, then run this again); IATI files are" \
            "read by the Python readers: the same records, more slowly" >&2
    fi
}

# Debian packages the reports and their tests need: Noto fonts for CJK and Arabic and DejaVu
# Sans for Arabic charts (embedded
# in PDFs and charts) and poppler-utils (pdftotext, pdffonts, pdftoppm read PDFs back).
SYSTEM_PACKAGES="fonts-noto-core fonts-noto-cjk fonts-dejavu-core poppler-utils"

ensure_system_packages() {
    local missing=""
    fc-list 2>/dev/null | grep "Noto Serif CJK" >/dev/null || missing="fonts-noto-cjk"
    fc-list 2>/dev/null | grep "Noto Naskh Arabic" >/dev/null || missing="$missing fonts-noto-core"
    fc-list 2>/dev/null | grep "DejaVu Sans" >/dev/null || missing="$missing fonts-dejavu-core"
    command -v pdftotext >/dev/null || missing="$missing poppler-utils"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "installing Debian packages: $missing" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
        echo "please install the Debian packages: $missing (sudo apt-get install $SYSTEM_PACKAGES)" >&2
    fi
}
