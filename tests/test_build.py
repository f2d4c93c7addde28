"""The whole book builds, every notebook executes, and the build gives no warnings."""

from __future__ import annotations

import re

import pytest
import yaml

from compendium import paths

pytestmark = pytest.mark.book


def toc_files() -> list[str]:
    toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def test_build_has_no_warnings(book_build):
    if book_build is None:
        pytest.skip("COMPENDIUM_REUSE_BUILD set: no fresh build to inspect")
    log = book_build.stdout + book_build.stderr
    # Sphinx prints "path: WARNING: message"; the kernel's own "[IPKernelApp] WARNING |" log lines
    # (plain-TCP transport notice) are not build warnings.
    problems = re.findall(r"^.*(?:^|: )(?:WARNING|ERROR|CRITICAL|SEVERE):.*$", log, flags=re.M)
    assert not problems, "\n".join(problems)


def test_a_finished_build_leaves_its_mark_and_the_log_of_its_jupyter_book_step(book_build):
    """The mark tells the next build it need not mend anything; book.log is what `compendium log book` prints."""
    from compendium.book.build import BOOK_STEP, LOGS, OK_MARK

    if book_build is None:
        pytest.skip("COMPENDIUM_REUSE_BUILD set: no fresh build to inspect")
    assert book_build.failure is None
    assert (paths.BUILD_DIR / OK_MARK).is_file()
    assert "build succeeded" in (paths.BUILD_DIR / LOGS / f"{BOOK_STEP}.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", toc_files())
def test_every_toc_page_is_built(built_book, page):
    html = (built_book / f"{page}.html").read_text(encoding="utf-8")
    assert "<h1>" in html or "<h1 " in html
    assert "Traceback" not in html


def test_chapters_show_passages_with_ids(built_book, document):
    html = (built_book / "chapters" / "r2p-human-rights.html").read_text(encoding="utf-8")
    for block in document.section("cluster-1").blocks:
        assert f"passage <code class=\"docutils literal notranslate\"><span class=\"pre\">{block.id}</span>" in html


# Pages that legitimately differ between two builds, and why (everything else must match to the byte):
NOT_DETERMINISTIC = {"chapters/status.html": "reports this build's execution times and dates"}


def chart_specs(html: str) -> list[str]:
    return re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, flags=re.S)


def test_two_clean_builds_give_identical_pages(built_book, tmp_path):
    """A second build from a clean state (its own execution cache) gives the same chapter pages:
    the same chart specs, tables and glued values, byte for byte."""
    from compendium.book.build import build_book

    result = build_book(capture=True, path_output=tmp_path)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert result.prefilled >= 7  # a clean state: every chapter executed again
    second = tmp_path / "_build" / "html"
    pages = sorted(p.relative_to(built_book).as_posix() for p in (built_book / "chapters").glob("*.html"))
    assert len(pages) >= 7
    for page in pages:
        if page in NOT_DETERMINISTIC:
            continue
        first_html = (built_book / page).read_text(encoding="utf-8")
        second_html = (second / page).read_text(encoding="utf-8")
        assert chart_specs(first_html) == chart_specs(second_html), f"{page}: chart specs differ"
        assert first_html == second_html, f"{page}: pages differ"


def test_a_build_with_nothing_changed_executes_nothing_ahead(built_book):
    from compendium.book.build import prefill_cache

    assert prefill_cache() == 0


def test_prefill_state_follows_chapter_text(tmp_path):
    import shutil

    from compendium.book.build import prefill_state

    root = tmp_path / "book"
    shutil.copytree(paths.ROOT, root, ignore=shutil.ignore_patterns("_build", ".venv", "runs", ".git", "tests", "_static"))
    before = prefill_state(root)
    page = root / "chapters" / "methods.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert prefill_state(root) != before


def test_binder_button_is_configured_only_for_a_published_repository(tmp_path, monkeypatch):
    from compendium.book.build import BINDERHUB_URL, REPOSITORY_ENV, build_command

    monkeypatch.delenv(REPOSITORY_ENV, raising=False)
    assert "--config" not in build_command(path_output=tmp_path)

    monkeypatch.setenv(REPOSITORY_ENV, "https://github.com/example/compendium")
    command = build_command(path_output=tmp_path)
    config = yaml.safe_load(open(command[command.index("--config") + 1], encoding="utf-8"))
    assert config["repository"]["url"] == "https://github.com/example/compendium"
    assert config["launch_buttons"]["binderhub_url"] == BINDERHUB_URL
    own = yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"] == own["sphinx"] and config["execute"] == own["execute"]  # everything else as is
