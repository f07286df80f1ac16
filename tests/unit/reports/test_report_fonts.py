"""Finding and registering the embedded CJK font."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ledger.reports.pdf import fonts


def test_register_finds_a_cjk_font_once(cjk_font: str) -> None:
    started = time.perf_counter()
    assert fonts.register_cjk_font() == cjk_font
    assert time.perf_counter() - started < 0.05  # cached: no second TTF parse
    assert cjk_font.startswith("CJK-")


def test_explicit_path_is_used(cjk_font: str) -> None:
    path = next(p for p in fonts.DEBIAN_FONT_PATHS if p.is_file())
    assert fonts.register_cjk_font(path) == f"CJK-{path.stem}"


def test_missing_explicit_path_names_the_apt_package(tmp_path: Path) -> None:
    with pytest.raises(fonts.CJKFontMissing, match="apt-get install -y fonts-wqy-microhei") as info:
        fonts.find_cjk_font(tmp_path / "nope.ttc")
    assert "does not exist" in str(info.value)


def test_opentype_font_is_refused(tmp_path: Path) -> None:
    otf = tmp_path / "NotoSansCJK-Regular.otf"
    otf.write_bytes(b"OTTO")
    with pytest.raises(fonts.CJKFontMissing, match="OpenType"):
        fonts.find_cjk_font(otf)


def test_font_without_chinese_glyphs_is_refused() -> None:
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.is_file():
        pytest.fail("DejaVu fonts missing: apt-get install -y fonts-dejavu-core")
    with pytest.raises(fonts.CJKFontMissing, match="no glyphs"):
        fonts.find_cjk_font(dejavu)


def test_falls_back_to_fontconfig(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cjk_font: str) -> None:
    monkeypatch.setattr(fonts, "DEBIAN_FONT_PATHS", (tmp_path / "absent.ttc",))
    font = fonts.find_cjk_font()
    assert Path(font.face.filename).suffix in fonts.TRUETYPE_SUFFIXES


def test_nothing_found_raises_with_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "DEBIAN_FONT_PATHS", (tmp_path / "absent.ttc",))
    monkeypatch.setattr(fonts, "_fc_list_candidates", list)
    with pytest.raises(fonts.CJKFontMissing, match="apt-get install -y fonts-wqy-microhei"):
        fonts.find_cjk_font()
