"""What `pip install .` installs: every dependency the code imports, and a package that serves everything.

The installed tests build the wheel, install it (not editable) into a new virtual environment
from a wheelhouse of requirements.txt, exactly as the Dockerfile does (tests/support/installed.py),
and serve from an unrelated folder with a new data folder.
"""

import ast
import json
import re
import sqlite3
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import requests

from tests.support.server import Server

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "linkdoctor"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())

# One worker installs the package (installed_linkdoctor, ~30-60 s) for this module and tests/test_container.py.
pytestmark = pytest.mark.xdist_group("installed")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_level_modules() -> set[str]:
    """Every top-level module `import`ed anywhere in src/linkdoctor (also inside functions)."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"linkdoctor", "__future__"}


def test_pyproject_lists_exactly_what_the_code_imports_and_requirements_pin_the_same():
    distributions = packages_distributions()
    needed = {normalized(distributions[module][0]) for module in imported_top_level_modules()}
    declared = {normalized(re.split(r"[<>=!~;\[ ]", item)[0]) for item in PYPROJECT["project"]["dependencies"]}
    assert "argon2-cffi" in needed
    assert needed - declared == set(), "imported by the code but missing from pyproject.toml's dependencies"
    assert declared - needed == set(), "in pyproject.toml's dependencies but imported nowhere"
    pinned = {normalized(line.split("==")[0]) for line in (REPO / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    assert pinned == declared


def test_pyproject_lists_every_package_folder():
    folders = {".".join(path.parent.relative_to(PACKAGE.parent).parts) for path in PACKAGE.rglob("__init__.py")}
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert folders - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - folders == {"linkdoctor.templates", "linkdoctor.static"}


@pytest.fixture(scope="module")
def installed(installed_linkdoctor):
    """A new virtual environment with the wheel installed the Dockerfile's way (tests/support/installed.py)."""
    return installed_linkdoctor


@pytest.fixture(scope="module")
def served(installed, tmp_path_factory):
    """The installed `linkdoctor serve`, started from an unrelated folder with a new data folder."""
    folder = tmp_path_factory.mktemp("elsewhere")
    (folder / "medias").mkdir()
    with Server(folder / "data", folder / "medias", folder / "serve.log", python=installed, cwd=folder) as server:
        yield server


def test_the_installed_package_is_not_the_repository(installed):
    where = subprocess.run([installed, "-c", "import linkdoctor; print(linkdoctor.__file__)"],
                           capture_output=True, text=True, cwd="/").stdout
    assert "site-packages" in where and str(REPO) not in where


def test_the_installed_package_serves_the_page_and_everything_it_references(served):
    page = requests.get(f"{served.url}/", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+)"', page.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    # The scripts' own imports (ES modules) are served too.
    scripts = {a for a in assets if a.endswith(".js")}
    for script in list(scripts):
        body = requests.get(f"{served.url}{script}", timeout=10).text
        scripts.update(f"/static/js/{name}" for name in re.findall(r'from "\./([\w.]+\.js)"', body))
    for asset in sorted(set(assets) | scripts):
        answer = requests.get(f"{served.url}{asset}", timeout=10)
        assert answer.status_code == 200 and answer.content, asset
    assert requests.get(f"{served.url}/login", timeout=10).status_code == 200


def test_the_installed_package_answers_the_api_and_migrated_its_database(served, installed):
    key = subprocess.run([installed, "-m", "linkdoctor", "auth", "api-key"], capture_output=True, text=True,
                         env={"LINKDOCTOR_DATA_DIR": str(served.data_dir), "PATH": "/usr/bin:/bin"}).stdout.strip()
    headers = {"X-Api-Key": key}
    openapi = requests.get(f"{served.url}/api/symlink/openapi.json", headers=headers, timeout=10)
    assert openapi.status_code == 200 and "/config" in openapi.json()["paths"]
    config = requests.get(f"{served.url}/api/symlink/config", headers=headers, timeout=10)
    assert config.status_code == 200 and config.json()["media_path"].endswith("medias")
    with sqlite3.connect(served.data_dir / "linkdoctor.db") as db:
        revision = db.execute("select version_num from alembic_version").fetchone()[0]
    heads = sorted(path.name.split("_")[0] for path in (PACKAGE / "migrations" / "versions").glob("0*.py"))
    assert revision == heads[-1]


def test_the_installed_package_has_the_one_version(installed, served):
    from linkdoctor import __version__

    shown = subprocess.run([installed, "-m", "linkdoctor", "--version"], capture_output=True, text=True)
    assert shown.stdout.strip() == f"linkdoctor {__version__}"
    metadata = subprocess.run([installed, "-c", "import importlib.metadata as m; print(m.version('linkdoctor'))"],
                              capture_output=True, text=True)
    assert metadata.stdout.strip() == __version__
    assert f'<span id="app-version">{__version__}</span>' in requests.get(f"{served.url}/", timeout=10).text
    # From this machine (127.0.0.1, no login needed) the API answers without the key.
    assert requests.get(f"{served.url}/api/symlink/system", timeout=10).json()["version"] == __version__
    dockerfile = (REPO / "Dockerfile").read_text()
    assert f"ARG VERSION={__version__}\n" in dockerfile, "the Dockerfile's default VERSION is the package's"


def test_docker_compose_says_what_the_image_does():
    compose = (REPO / "docker-compose.yml").read_text()
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "no login" not in compose and "setup?token=" in compose and "docker logs linkdoctor" in compose
    for name in ("PUID", "PGID", "UMASK"):
        assert re.search(rf"^\s+{name}: ", compose, re.M) and f"{name}=" in dockerfile
    assert re.search(r"^\s+- \./config:/config$", compose, re.M)
    assert re.search(r"^\s+# - /mnt/debrid:/mnt/debrid:ro,rshared$", compose, re.M)
    assert re.search(r"^\s+# - /var/run/docker\.sock:/var/run/docker\.sock:ro$", compose, re.M)
    # The compose file's healthcheck is the image's: Python asking /ping, no curl.
    assert "/opt/linkdoctor/bin/python" in compose and "/ping" in compose and "curl" not in compose
    assert re.search(r"^HEALTHCHECK .*\n\s+CMD \[\"/opt/linkdoctor/bin/python\".*/api/symlink/health", dockerfile, re.M)


def test_the_installed_commands_set_the_password_and_scan_with_their_workers(installed, tmp_path):
    env = {"LINKDOCTOR_DATA_DIR": str(tmp_path / "data"), "LINKDOCTOR_MEDIA_PATH": str(tmp_path / "medias"),
           "PATH": "/usr/bin:/bin"}
    (tmp_path / "medias" / "Films").mkdir(parents=True)
    (tmp_path / "medias" / "Films" / "gone.mkv").symlink_to(tmp_path / "nowhere.mkv")
    # `auth set-password` hashes with argon2-cffi, which `pip install .` did not bring before 0.9.0.
    password = subprocess.run([installed, "-m", "linkdoctor", "auth", "set-password"], input="correct horse battery\n",
                              capture_output=True, text=True, cwd=tmp_path, env=env)
    assert password.returncode == 0 and "Traceback" not in password.stderr, password.stderr
    # A scan runs its worker processes from the installed package too.
    scan = subprocess.run([installed, "-m", "linkdoctor", "scan", "--json"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert scan.returncode == 1, scan.stderr
    assert [finding["category"] for finding in json.loads(scan.stdout)["findings"]] == ["broken"]
