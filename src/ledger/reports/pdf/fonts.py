"""Find and register one embeddable TrueType CJK font, once per process.

ReportLab's built-in CID font ``STSong-Light`` is not embedded, so Chinese prints as empty boxes on
a reader without CJK fonts; we embed (a subset of) a TrueType font instead. OpenType/CFF fonts
(``.otf``, e.g. Noto Sans CJK) are refused by ReportLab, so only ``.ttf`` / ``.ttc`` are considered.

Search order: the explicit path the caller passes (from settings; nothing here reads the
environment), the Debian paths of WenQuanYi Micro Hei and Zen Hei, then ``fc-list :lang=zh``.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

INSTALL_HINT = "apt-get install -y fonts-wqy-microhei"
DEBIAN_FONT_PATHS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
TRUETYPE_SUFFIXES = (".ttf", ".ttc")
PROBE_CHARS = "账凭证合计"  # a usable font must have these glyphs

_lock = threading.Lock()
_registered: dict[Path | None, str] = {}


class CJKFontMissing(RuntimeError):
    """No embeddable TrueType CJK font was found (``apt-get install -y fonts-wqy-microhei``)."""

    def __init__(self, detail: str = "") -> None:
        message = f"no embeddable TrueType CJK font found; install one with `{INSTALL_HINT}`"
        super().__init__(f"{message} ({detail})" if detail else message)


def _fc_list_candidates() -> list[Path]:
    """Return the ``.ttf`` / ``.ttc`` files fontconfig says cover Chinese, sorted for determinism."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        result = subprocess.run(
            [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    paths = {Path(line.split(":")[0].strip()) for line in result.stdout.splitlines() if line.strip()}
    return sorted(p for p in paths if p.suffix.lower() in TRUETYPE_SUFFIXES)


def _load(path: Path) -> TTFont:
    """Load ``path`` as a TrueType font (first face of a collection) and check it has CJK glyphs.

    Raises:
        TTFError: when the file is not a usable TrueType font or lacks CJK glyphs.
    """
    if path.suffix.lower() not in TRUETYPE_SUFFIXES:
        raise TTFError(f"{path}: only TrueType .ttf/.ttc fonts can be embedded (OpenType/CFF is refused)")
    name = f"CJK-{path.stem}"
    if path.suffix.lower() == ".ttc":
        font = TTFont(name, str(path), subfontIndex=0)  # the first face of the collection
    else:
        font = TTFont(name, str(path))
    glyphs = font.face.charToGlyph
    missing = [c for c in PROBE_CHARS if ord(c) not in glyphs]
    if missing:
        raise TTFError(f"{path}: no glyphs for {''.join(missing)}")
    return font


def find_cjk_font(font_path: Path | None = None) -> TTFont:
    """Return the first usable CJK TrueType font, loaded but not registered.

    Args:
        font_path: a font file chosen by the caller (e.g. from settings). When given it must work:
            no fallback hides a wrong setting.

    Raises:
        CJKFontMissing: nothing usable was found; the message names the apt package to install.
    """
    if font_path is not None:
        if not font_path.is_file():
            raise CJKFontMissing(f"configured font {font_path} does not exist")
        try:
            return _load(font_path)
        except TTFError as exc:
            raise CJKFontMissing(f"configured font {font_path} is unusable: {exc}") from exc
    tried: list[str] = []
    for candidate in (*DEBIAN_FONT_PATHS, *_fc_list_candidates()):
        if not candidate.is_file():
            continue
        try:
            return _load(candidate)
        except TTFError as exc:
            tried.append(str(exc))
    return _raise_missing(tried)


def _raise_missing(tried: list[str]) -> TTFont:
    detail = "; ".join(tried) if tried else "looked in " + ", ".join(str(p) for p in DEBIAN_FONT_PATHS)
    raise CJKFontMissing(detail + " and fc-list :lang=zh")


def register_cjk_font(font_path: Path | None = None) -> str:
    """Register the CJK font with ReportLab (once per process per path) and return its font name.

    Args:
        font_path: an explicit font file, or ``None`` to search the usual places.

    Raises:
        CJKFontMissing: no usable font (see ``find_cjk_font``).
    """
    with _lock:
        name = _registered.get(font_path)
        if name is not None:
            return name
        font = find_cjk_font(font_path)
        if font.fontName not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(font)
        _registered[font_path] = font.fontName
        return str(font.fontName)
