"""Serve plotly.js through staticfiles: never a CDN, never a copy in the repository.

Two bundles of the plotly.js version that the installed Python plotly writes its figures for:

- ``vendor/plotly/plotly.min.js``: the full bundle, from the plotly package's data (maps need it);
- ``vendor/plotly/plotly-basic.min.js``: the basic partial bundle (bar, scatter, pie: about a quarter
  of the size), the npm package ``plotly.js-basic-dist-min`` that package.json pins to that version and
  package-lock.json pins by integrity; ``make setup`` installs it with ``npm ci``.

static/js/charts.js loads the basic bundle when every trace on a page is of a basic type, else the
full one. Without node_modules (no npm), or with a basic bundle of another version, the basic name
serves the full bundle, so every page still draws, and the system check warns (core.W001).
``python -m core.staticfiles`` (CI) checks the installed bundle against the lockfile byte for byte.
"""

import base64
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core import checks
from django.core.files.storage import FileSystemStorage
from plotly.offline import get_plotlyjs_version

PREFIX = "vendor/plotly"
PLOTLY_STATIC_PATH = f"{PREFIX}/plotly.min.js"
PLOTLY_BASIC_STATIC_PATH = f"{PREFIX}/plotly-basic.min.js"
_PACKAGE_DATA = Path(plotly.__file__).resolve().parent / "package_data"
FULL_BUNDLE = _PACKAGE_DATA / "plotly.min.js"
BASE_DIR = Path(__file__).resolve().parent.parent
BASIC_PACKAGE = "plotly.js-basic-dist-min"
BASIC_FILE = "plotly-basic.min.js"
BASIC_BUNDLE = BASE_DIR / "node_modules" / BASIC_PACKAGE / BASIC_FILE
_VERSION = re.compile(rb"plotly\.js[^\n]*? v(\d+\.\d+\.\d+)")


def bundle_version(path: Path) -> str | None:
    """The version in a plotly.js bundle's header comment ("plotly.js (basic - minified) v4.1.1")."""
    with open(path, "rb") as bundle:
        match = _VERSION.search(bundle.read(300))
    return match.group(1).decode() if match else None


def basic_bundle_problem() -> str | None:
    """Why the basic bundle cannot be served (then its name serves the full bundle), or None."""
    if not BASIC_BUNDLE.is_file():
        return f"{BASIC_BUNDLE} is missing (make setup runs npm ci)"
    found, wanted = bundle_version(BASIC_BUNDLE), get_plotlyjs_version()
    if found != wanted:
        return f"{BASIC_PACKAGE} is plotly.js {found}, the Python plotly package needs {wanted}"
    return None


class _BundleStorage(FileSystemStorage):
    """The two static names mapped onto files outside the project's static directories."""

    def __init__(self, files: dict[str, Path]):
        super().__init__(location=str(_PACKAGE_DATA))
        self.files = files
        self.prefix = PREFIX

    def path(self, name):
        return str(self.files[name])


class PlotlyJsFinder(BaseFinder):
    """Finds exactly two files: ``vendor/plotly/plotly.min.js`` and ``vendor/plotly/plotly-basic.min.js``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        basic = FULL_BUNDLE if basic_bundle_problem() else BASIC_BUNDLE
        self.storage = _BundleStorage({"plotly.min.js": FULL_BUNDLE, BASIC_FILE: basic})

    def check(self, **kwargs):
        problem = basic_bundle_problem()
        if problem:
            hint = "Pages without a map load the full plotly.js bundle instead; run make setup."
            return [checks.Warning(problem, hint=hint, id="core.W001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        if path.startswith(PREFIX + "/") and path[len(PREFIX) + 1 :] in self.storage.files:
            match = self.storage.path(path[len(PREFIX) + 1 :])
            return [match] if find_all else match
        return []

    def list(self, ignore_patterns):
        for name in self.storage.files:
            yield name, self.storage


def verify_basic_bundle() -> list[str]:
    """CI: the installed basic bundle is the one package-lock.json names, of the Python plotly's
    plotly.js version. Fetches the package's tarball with ``npm pack`` (from npm's cache when
    ``npm ci`` has just run), checks its sha512 against the lockfile's integrity and compares the
    bundle inside it with the installed file. Returns the problems found (empty: verified)."""
    wanted = get_plotlyjs_version()
    lock = json.loads((BASE_DIR / "package-lock.json").read_text())["packages"]
    pinned = json.loads((BASE_DIR / "package.json").read_text())["dependencies"].get(BASIC_PACKAGE)
    locked = lock.get(f"node_modules/{BASIC_PACKAGE}", {})
    problems = []
    if pinned != wanted:
        problems.append(f"package.json pins {BASIC_PACKAGE} {pinned!r}, not exactly {wanted}")
    if locked.get("version") != wanted:
        problems.append(f"package-lock.json locks {BASIC_PACKAGE} {locked.get('version')}, not {wanted}")
    if problem := basic_bundle_problem():
        return [*problems, problem]
    algorithm, _, digest = locked.get("integrity", "").partition("-")
    if algorithm != "sha512":
        return [*problems, f"package-lock.json has no sha512 integrity for {BASIC_PACKAGE}"]
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["npm", "pack", f"{BASIC_PACKAGE}@{locked['version']}", "--pack-destination", tmp, "--silent"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        tarball = Path(tmp) / out[-1]
        if base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode() != digest:
            problems.append(f"{tarball.name}: sha512 differs from package-lock.json's integrity")
        with tarfile.open(tarball) as archive:
            packed = archive.extractfile(f"package/{BASIC_FILE}").read()
    installed = BASIC_BUNDLE.read_bytes()
    if packed != installed:
        problems.append(f"{BASIC_BUNDLE} differs from {BASIC_FILE} in the locked tarball")
    if not problems:
        print(
            f"{BASIC_PACKAGE} {wanted} (= Python plotly {plotly.__version__}'s plotly.js): tarball sha512 matches "
            f"package-lock.json; {BASIC_FILE} {len(installed):,} bytes, "
            f"sha256 {hashlib.sha256(installed).hexdigest()}"
        )
    return problems


if __name__ == "__main__":
    found = verify_basic_bundle()
    for line in found:
        print(f"plotly.js basic bundle: {line}", file=sys.stderr)
    sys.exit(1 if found else 0)
