"""The notebooks in notebooks/ are stored without outputs (scripts/export-notebooks.sh executes them)."""
import json

import pytest

from conftest import ROOT


@pytest.fixture(scope="session", autouse=True)
def optoplan_bin():
    """Overrides conftest's: these checks read files only and run without a binary."""
    return None


def test_notebooks_are_stored_without_outputs():
    books = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert books, "no notebooks found"
    for path in books:
        nb = json.loads(path.read_text(encoding="utf-8"))
        ids = [c.get("id") for c in nb["cells"]]
        assert all(ids) and len(set(ids)) == len(ids), f"{path.name}: cell ids missing or repeated"
        assert nb["cells"][0]["cell_type"] == "markdown" and "".join(nb["cells"][0]["source"]).startswith("# "), \
            f"{path.name}: the first cell must be the title (the export's index reads it)"
        for k, c in enumerate(nb["cells"]):
            if c["cell_type"] == "code":
                assert c.get("outputs") == [] and c.get("execution_count") is None, \
                    f"{path.name}: cell {k} carries outputs; store notebooks stripped"
