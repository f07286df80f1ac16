"""Closed sets of values: enums in the OpenAPI document, generated from the configuration, and a 422
naming the allowed values for an unknown value of any enumerated query parameter."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from typing import Any, NamedTuple

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

import ledger
from ledger.app import create_app
from ledger.claims.domain import ClaimStatus
from ledger.claims.policy import DEFAULT_POLICY_FILE, BenefitHead, load_policy
from ledger.config import Settings
from ledger.platform.domain import AUDIT_OBJECT_TYPES, Role
from ledger.web.choices import STATE_KEY, Choice, choice_of

PERILS = [
    "natural_disaster",
    "fire_explosion",
    "heroic_act",
    "crowd_crush",
    "infectious_disease",
    "terrorism",
    "mental_patient_injury",
    "violent_crime",
    "falling_object",
    "traffic_accident",
]
_PARAM = re.compile(r"\{(\w+):(\w+)\}")


class Marked(NamedTuple):
    """An enumerated query parameter of a route."""

    method: str
    template: str  # the path as the OpenAPI document names it
    path: str  # with sample path parameters
    name: str
    choice: Choice
    role: Role  # one allowed to call the route


def _marked_query_parameters(app: Litestar) -> list[Marked]:
    """Every query parameter marked ``OneOf`` of every route with roles."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not handler.opt.get("roles"):
                continue
            for name, field in handler.parsed_fn_signature.parameters.items():
                choice = choice_of(field)
                if choice is None or name in route.path_parameters:
                    continue
                path = _PARAM.sub(lambda m: "1" if m.group(2) == "int" else "CL-1", route.path)
                role = handler.opt["roles"][0]
                for method in sorted(handler.http_methods - {"OPTIONS"}):
                    found.append(Marked(method, route.path_format, path, name, choice, role))
    return found


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _enum(node: dict[str, Any]) -> list[str]:
    """The enum of a schema, looking inside ``oneOf: [X, null]``."""
    for option in [node, *node.get("oneOf", [])]:
        if "enum" in option:
            return list(option["enum"])
    raise AssertionError(f"no enum in {node}")


def _query_parameter(schema: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    parameters = schema["paths"][path][method]["parameters"]
    return next(p["schema"] for p in parameters if p["name"] == name and p["in"] == "query")


def _body(schema: dict[str, Any], path: str, method: str = "post") -> dict[str, Any]:
    content = schema["paths"][path][method]["requestBody"]["content"]
    return _resolve(schema, content["application/json"]["schema"])


async def test_every_unknown_enumerated_query_value_is_422_naming_the_allowed_ones(
    client: Any, login: Any, settings: Settings
) -> None:
    app = create_app(settings)
    marked = _marked_query_parameters(app)
    assert {(m.template, m.name) for m in marked} >= {
        ("/api/claims", "status"),
        ("/api/claims", "peril"),
        ("/api/claims", "street"),
        ("/api/events", "peril"),
        ("/api/events", "street"),
        ("/api/claims/{claim_no}/documents", "document_type"),
        ("/api/applications", "status"),
        ("/api/grants", "status"),
        ("/api/audit", "object_type"),
        ("/api/jobs/runs", "job"),
        ("/api/reports/{document}", "book"),
    }
    for m in marked:
        headers = await login(m.role.value)
        response = await client.request(m.method, m.path, params={m.name: "bogus"}, headers=headers)
        assert response.status_code == 422, (m, response.text)
        problem = response.json()
        allowed = list(app.state[STATE_KEY][m.choice])
        assert (problem["field"], problem["allowed"]) == (m.name, allowed), (m, problem)
        assert problem["rule"] == "one of " + ", ".join(allowed)
        assert problem["detail"] == f"{m.name} must be one of {', '.join(allowed)}: got 'bogus'"


async def test_bogus_claim_status_is_422_and_a_known_one_filters(client: Any, login: Any) -> None:
    headers = await login("auditor")
    bogus = await client.get("/api/claims", params={"status": "bogus"}, headers=headers)
    assert bogus.status_code == 422
    assert bogus.json()["allowed"] == [s.value for s in ClaimStatus]
    known = await client.get("/api/claims", params={"status": "approved"}, headers=headers)
    assert known.status_code == 200
    assert known.json()["total"] == 0


async def test_a_bogus_filter_is_checked_after_the_role(client: Any, login: Any) -> None:
    """A role that may not list the audit trail learns nothing about its filter values."""
    headers = await login("adjuster")
    response = await client.get("/api/audit", params={"object_type": "bogus"}, headers=headers)
    assert response.status_code == 403


async def test_openapi_enums_come_from_the_configuration(client: Any) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    policy = load_policy()
    assert [p.code for p in policy.perils] == PERILS
    assert _enum(_body(schema, "/api/events")["properties"]["peril"]) == PERILS
    assert _enum(_query_parameter(schema, "/api/claims", "get", "peril")) == PERILS
    assert _enum(_query_parameter(schema, "/api/events", "get", "peril")) == PERILS
    statuses = [s.value for s in ClaimStatus]
    assert _enum(_query_parameter(schema, "/api/claims", "get", "status")) == statuses
    claim = _body(schema, "/api/claims")["properties"]
    line = _resolve(schema, claim["lines"]["items"])["properties"]
    assert _enum(line["head"]) == [h.value for h in BenefitHead]
    assert _enum(claim["documents"]["items"]) == list(policy.documents)
    assert _enum(claim["household_status"]) == ["normal", "dibao", "tekun"]
    assert _enum(_body(schema, "/api/claims/{claim_no}/payments")["properties"]["kind"]) == [
        "advance",
        "interim",
        "final",
    ]
    reject = _body(schema, "/api/claims/{claim_no}/reject")["properties"]["reason_code"]
    assert _enum(reject) == list(policy.rejection_reasons)
    assert _enum(_body(schema, "/api/users")["properties"]["role"]) == [r.value for r in Role]
    assert _enum(_query_parameter(schema, "/api/reports/{document}", "get", "book")) == [
        "insurance",
        "charity",
        "relief",
        "all",
    ]
    assert "agreement_pending" in _enum(_query_parameter(schema, "/api/grants", "get", "status"))
    assert "under_review" in _enum(_query_parameter(schema, "/api/applications", "get", "status"))
    assert "claim" in _enum(_query_parameter(schema, "/api/audit", "get", "object_type"))
    assert "claims-overdue" in _enum(_query_parameter(schema, "/api/jobs/runs", "get", "job"))
    view = schema["components"]["schemas"]["ClaimView"]["properties"]
    assert _enum(view["status"]) == statuses
    assert _enum(view["peril"]) == PERILS


async def test_every_enumerated_query_parameter_is_an_enum_in_the_openapi(
    client: Any, settings: Settings
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    app = create_app(settings)
    for m in _marked_query_parameters(app):
        documented = _query_parameter(schema, m.template, m.method.lower(), m.name)
        assert _enum(documented) == list(app.state[STATE_KEY][m.choice]), m


async def test_a_peril_added_to_the_policy_file_is_an_enum_value(client: Any, settings: Settings) -> None:
    text = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    extra = """
[[perils]]
code = "landslide"
cn = "山体滑坡救助"
en = "landslide"
account = "Expenses:Insurance:Claims:Landslide"
heads = ["death", "disability", "medical", "property"]
authority = "自然资源主管部门"
"""
    anchor = text.index("\n# ---", text.index('code = "traffic_accident"'))
    path = settings.data_dir / "policy-with-landslide.toml"
    path.write_text(text[:anchor] + "\n" + extra + text[anchor:], encoding="utf-8")
    app = create_app(dataclasses.replace(settings, policy_file=path))
    schema = app.openapi_schema.to_schema()
    perils = _enum(_query_parameter(schema, "/api/claims", "get", "peril"))
    assert perils == [*PERILS, "landslide"]
    event = schema["components"]["schemas"]["EventCreate"]["properties"]["peril"]
    assert _enum(event) == [*PERILS, "landslide"]


def test_the_audit_filter_knows_every_object_type_the_code_writes() -> None:
    """Each ``record_audit`` call names its object type literally, and the type is one the audit list's
    ``object_type`` filter accepts; a new kind of audited object must be added to the filter."""
    written: dict[str, list[str]] = {}
    for path in Path(ledger.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or getattr(node.func, "id", None) != "record_audit":
                continue
            argument = node.args[2] if len(node.args) > 2 else None
            where = f"{path.name}:{node.lineno}"
            assert isinstance(argument, ast.Constant), where
            assert isinstance(argument.value, str), where
            written.setdefault(argument.value, []).append(where)
    assert {"claim", "fund_grant", "user", "login"} <= set(written)
    assert set(written) <= set(AUDIT_OBJECT_TYPES), set(written) - set(AUDIT_OBJECT_TYPES)
