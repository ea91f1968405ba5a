"""The wheel must ship the JSON Schemas and the templates (editors and the CLI need them)."""

import subprocess
import sys
import zipfile

import pytest

from conftest import REPO
from pmkit.core.kinds import KINDS


@pytest.mark.slow
def test_wheel_ships_schemas_and_templates(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("pmkit_planning-*.whl")  # the distribution's name; the package is pmkit
    names = set(zipfile.ZipFile(wheel).namelist())
    for kind in KINDS:
        assert f"pmkit/schemas/{kind.name}.schema.json" in names
    assert "pmkit/app/templates/junit.xml.j2" in names
    assert {"pmkit/app/scaffold/ci/github-pmkit.yml", "pmkit/app/scaffold/ci/gitlab-ci.yml"} <= names
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "pmkit = pmkit.app.entry:main" in entry_points
