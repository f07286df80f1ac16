"""The README tells the truth about the routes and the roles, and links nothing outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from litestar.handlers import HTTPRouteHandler

from ledger.app import create_app
from ledger.config import Settings
from ledger.platform.domain import Role
from ledger.web.auth import PUBLIC
from ledger.web.pages.base import PAGE_ROLES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
_ROW = re.compile(r"^\| `(?P<route>[A-Z]+ /[^`]*)` \| (?P<roles>[^|]+) \|$")


def _section(title: str) -> str:
    """The text of the README section headed ``title`` (up to the next heading)."""
    start = README.index(f"{title}\n")
    end = README.find("\n#", start + len(title))
    return README[start : end if end != -1 else None]


def _who(handler: HTTPRouteHandler) -> str:
    """How the README names the roles of a route: a page's desk roles, an API route's roles, or public."""
    desk = handler.opt.get(PAGE_ROLES)
    if desk is None and handler.opt.get(PUBLIC):
        return "public"
    roles = set(desk if desk is not None else handler.opt["roles"])
    return "all roles" if roles == set(Role) else ", ".join(r.value for r in Role if r in roles)


def _app_routes(settings: Settings) -> dict[str, str]:
    """Every route of the app but the docs, as ``"METHOD /path"`` -> roles."""
    found = {}
    for route in create_app(settings).routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or route.path.startswith("/schema"):
                continue
            for method in sorted(handler.http_methods - {"OPTIONS"}):
                found[f"{method} {route.path_format}"] = _who(handler)
    return found


def test_the_routes_table_is_the_route_table(settings: Settings) -> None:
    rows = [m for m in map(_ROW.match, _section("### Routes and roles").splitlines()) if m]
    listed = {m["route"]: m["roles"].strip() for m in rows}
    assert len(listed) == len(rows), "a route is listed twice"
    actual = _app_routes(settings)
    expected_rows = "\n".join(f"| `{route}` | {who} |" for route, who in actual.items())
    assert listed == actual, f"the README's routes table should read:\n{expected_rows}"


def test_only_accountants_pay(settings: Settings) -> None:
    paying = {
        route: who for route, who in _app_routes(settings).items() if re.search(r"/pay(ments)?$", route)
    }
    assert paying == {
        "POST /api/claims/{claim_no}/payments": "accountant",
        "POST /api/grants/{grant_id}/tranches/{n}/pay": "accountant",
        "GET /api/claims/{claim_no}/payments": "adjuster, approver, accountant, auditor, admin",
        "POST /payments/{claim_no}/pay": "accountant",
        "GET /payments": "accountant",
        "POST /fund/grants/{grant_id}/tranches/{n}/pay": "accountant",
    }
    summary = {
        line.split("|")[1].strip(" `"): line.split("|")[2]
        for line in _section("## Users and roles").splitlines()
        if line.startswith("| `")
    }
    assert set(summary) == {r.value for r in Role}
    assert [role for role, can in summary.items() if re.search(r"\bpay", can)] == ["accountant"]


def test_no_link_leaves_the_repository() -> None:
    prose = re.sub(r"```.*?```", "", README, flags=re.DOTALL)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    assert "://" not in prose, "a web address outside code; the README links nothing outside the repository"
    assert "../" not in prose
    targets = re.findall(r"\]\(([^)\s]+)\)", prose) + re.findall(r"<([^>\s]+:[^>\s]*)>", prose)
    assert targets, "the README links its own folders"
    for target in targets:
        path = (ROOT / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), target
        assert path.exists(), target
