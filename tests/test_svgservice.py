"""The build's shared chart renderer gives the same SVG as rendering in place, and never stops a chart."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from compendium import kernels, paths, svgservice
from compendium.svgservice import ADDRESS_ENV, AUTHKEY_ENV, chart_svg, render_svg, svg_server

SPECS = sorted((paths.ROOT / "tests" / "snapshots").glob("*/charts/*.vl.json"))


@pytest.fixture
def spec() -> dict:
    return json.loads(SPECS[0].read_text(encoding="utf-8"))


@pytest.fixture
def server(monkeypatch):
    """A running server; this process may not render, so an answer proves the server made it."""
    monkeypatch.delenv(ADDRESS_ENV, raising=False)
    with svg_server(kernels.process_context()) as address:
        assert address is not None
        yield address


def test_served_svg_is_the_one_rendered_in_place(server, spec, monkeypatch):
    expected = render_svg(spec)

    def not_here(_spec):
        raise AssertionError("rendered in this process")

    monkeypatch.setattr(svgservice, "render_svg", not_here)
    assert chart_svg(spec) == expected
    assert expected.startswith("<svg")


def test_every_book_chart_comes_back_identical(server):
    assert len(SPECS) >= 20
    for path in SPECS:
        spec = json.loads(path.read_text(encoding="utf-8"))
        assert chart_svg(spec) == render_svg(spec), path.name


def test_a_spec_the_server_cannot_render_raises_vl_converts_own_error(server):
    with pytest.raises(ValueError) as served:
        chart_svg({"mark": "no-such-mark"})
    with pytest.raises(ValueError) as local:
        render_svg({"mark": "no-such-mark"})
    assert str(served.value) == str(local.value)
    assert chart_svg({"data": {"values": [{}]}, "mark": "point"}).startswith("<svg")  # and it still serves


def test_a_client_with_the_wrong_key_renders_in_place_and_the_server_goes_on(server, spec, monkeypatch):
    calls = []
    monkeypatch.setattr(svgservice, "render_svg", lambda s: calls.append(s) or "<svg/>")
    with monkeypatch.context() as wrong:
        wrong.setenv(AUTHKEY_ENV, "00" * 32)
        assert chart_svg(spec) == "<svg/>" and calls == [spec]
    assert chart_svg(spec).startswith("<svg ") and len(calls) == 1


@pytest.mark.parametrize("address", [None, "/nonexistent/compendium-svg/socket"])
def test_without_a_reachable_server_the_chart_is_rendered_in_place(address, spec, monkeypatch):
    if address is None:
        monkeypatch.delenv(ADDRESS_ENV, raising=False)
    else:
        monkeypatch.setenv(ADDRESS_ENV, address)
        monkeypatch.setenv(AUTHKEY_ENV, "00" * 32)
    calls = []
    monkeypatch.setattr(svgservice, "render_svg", lambda s: calls.append(s) or "<svg/>")
    assert chart_svg(spec) == "<svg/>" and calls == [spec]


def test_the_server_leaves_nothing_behind(monkeypatch):
    monkeypatch.delenv(ADDRESS_ENV, raising=False)
    monkeypatch.delenv(AUTHKEY_ENV, raising=False)
    with svg_server(kernels.process_context()) as address:
        assert os.environ[ADDRESS_ENV] == address and Path(address).exists()
    assert ADDRESS_ENV not in os.environ and AUTHKEY_ENV not in os.environ
    assert not Path(address).parent.exists()


def test_the_same_chart_gives_the_same_svg_whatever_was_drawn_before(spec):
    gradient = json.loads((paths.ROOT / "tests/snapshots/introduction/charts/intro-fig-actors.vl.json").read_text())
    first = render_svg(gradient)
    render_svg(gradient)  # vl-convert's own counter moves on
    assert render_svg(gradient) == first
    assert 'id="gradient_0"' in first and "url(#gradient_0)" in first


def test_ids_are_renumbered_with_their_references():
    svg = ('<svg><defs><linearGradient id="gradient_7"/><clipPath id="clip12"/><clipPath id="clip3"/></defs>'
           '<rect fill="url(#gradient_7)"/><g clip-path="url(#clip3)"/><use href="#clip12"/>'
           '<use xlink:href="#gradient_7"/></svg>')
    assert svgservice.canonical_ids(svg) == (
        '<svg><defs><linearGradient id="gradient_0"/><clipPath id="clip0"/><clipPath id="clip1"/></defs>'
        '<rect fill="url(#gradient_0)"/><g clip-path="url(#clip1)"/><use href="#clip0"/>'
        '<use xlink:href="#gradient_0"/></svg>'
    )
    assert svgservice.canonical_ids("<svg><rect/></svg>") == "<svg><rect/></svg>"
