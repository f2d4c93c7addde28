"""The command line: validate reports every problem and exits non-zero on bad data."""

from __future__ import annotations

import shutil

from compendium import paths
from compendium.cli import main
from compendium.data.tables import TABLES


def test_validate_passes_on_the_real_data(capsys):
    assert main(["validate"]) == 0
    assert f"all {len(TABLES)} tables valid" in capsys.readouterr().out


def test_validate_lists_every_problem_and_fails(tmp_path, capsys):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, copy)
    claims = copy / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace(",finding,", ",findings,"), encoding="utf-8")
    assert main(["validate", "--data-dir", str(copy)]) == 2
    err = capsys.readouterr().err
    wrong = sum(1 for line in err.splitlines() if "column 'claim_type'" in line and "'findings'" in line)
    assert wrong == paths.DATA_DIR.joinpath("claims.csv").read_text(encoding="utf-8").count(",finding,")
    assert "Traceback" not in err
