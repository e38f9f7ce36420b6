"""SECURITY.md, access control: deny by default (every route has a rule, and every guarded
route refuses an anonymous caller), roles on account administration."""

from __future__ import annotations

import re

import pytest
from fastapi import Depends
from fastapi.routing import APIRoute, iter_route_contexts

from auth_svc.main import create_app
from faceclock_common.fastapi.security import access_rules_of, public

PASSWORD = "correct horse battery"
# Framework routes that are not APIRoutes: the OpenAPI document only (docs UIs are off).
FRAMEWORK_ROUTES = {"/openapi.json"}


def api_routes(app) -> list:
    """Every route as served, with the dependencies of the routers it was included through."""
    return [context for context in iter_route_contexts(app.routes)
            if isinstance(context.original_route, APIRoute)]


def routes_without_rule(app) -> list[str]:
    missing = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            if not access_rules_of(context.dependant):
                missing.append(f"{sorted(context.methods)} {context.path}")
        elif context.path not in FRAMEWORK_ROUTES:
            missing.append(f"non-API route {context.path}")
    return missing


def test_every_route_declares_an_access_rule(make_settings) -> None:
    app = create_app(make_settings())
    assert len(api_routes(app)) >= 20
    assert routes_without_rule(app) == []


def test_the_walker_catches_a_route_without_a_rule(make_settings) -> None:
    app = create_app(make_settings())

    @app.get("/api/v1/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    @app.get("/api/v1/guarded", dependencies=[Depends(public)])
    def guarded() -> dict[str, str]:
        return {}

    assert routes_without_rule(app) == ["['GET'] /api/v1/forgotten"]


def test_every_non_public_route_refuses_an_anonymous_caller(sqlite_api) -> None:
    checked = 0
    for route in api_routes(sqlite_api.http.app):
        if "public" in access_rules_of(route.dependant):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in route.methods:
            response = sqlite_api.http.request(method, path, json={})
            assert response.status_code == 401, f"{method} {route.path}: {response.status_code}"
            checked += 1
    assert checked >= 10


def test_public_routes_are_exactly_the_expected_ones(make_settings) -> None:
    app = create_app(make_settings())
    public_paths = {route.path for route in api_routes(app)
                    if "public" in access_rules_of(route.dependant)}
    assert public_paths == {
        "/healthz", "/readyz", "/api/v1/auth/register", "/api/v1/auth/login",
        "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/auth/password/forgot",
        "/api/v1/auth/password/reset", "/api/v1/auth/jwks.json", "/api/v1/auth/device-login",
        # A kiosk types its one-time pairing code before it has any token (throttled).
        "/api/v1/auth/device-pair",
        # An invited employee accepts with the e-mailed link's secret (single use, expiring).
        "/api/v1/auth/invitations/accept",
        "/internal/service-token",
    }


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/v1/users", None),
    ("POST", "/api/v1/users", {"username": "newbie", "email": "n@example.com", "password": PASSWORD}),
    ("GET", "/api/v1/users/1", None),
    ("PATCH", "/api/v1/users/1", {"roles": ["employee"]}),
    ("POST", "/api/v1/kiosks", {"name": "k"}),
    ("PATCH", "/api/v1/kiosks/1", {"sound": False}),
    ("POST", "/api/v1/auth/keys/rotate", None),
])
def test_an_employee_is_refused_administration(sqlite_api, method, path, body) -> None:
    sqlite_api.register("emil")
    response = sqlite_api.http.request(method, path, json=body,
                                       headers=sqlite_api.user_headers("emil"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_hr_links_employees_but_cannot_change_roles(sqlite_api) -> None:
    target = sqlite_api.register("target")
    hr = sqlite_api.register("helen")
    admin = sqlite_api.admin_headers()
    sqlite_api.http.patch(f"/api/v1/users/{hr['id']}", headers=admin,
                          json={"roles": ["hr"]}).raise_for_status()
    headers = sqlite_api.user_headers("helen")
    assert sqlite_api.http.get("/api/v1/users", headers=headers).status_code == 200
    link = sqlite_api.http.patch(f"/api/v1/users/{target['id']}", headers=headers,
                                 json={"employee_id": 9, "department_id": 3})
    assert link.status_code == 200 and link.json()["employee_id"] == 9
    for body in ({"roles": ["admin"]}, {"active": False}, {"email": "x@example.com"}):
        refused = sqlite_api.http.patch(f"/api/v1/users/{hr['id']}", headers=headers, json=body)
        assert refused.status_code == 403, body
    assert sqlite_api.http.post("/api/v1/users", headers=headers, json={
        "username": "made", "email": "m@example.com", "password": PASSWORD}).status_code == 403


def test_the_last_admin_cannot_be_demoted_or_deactivated(sqlite_api) -> None:
    admin = sqlite_api.admin_headers()
    me = sqlite_api.http.get("/api/v1/auth/me", headers=admin).json()
    for body in ({"roles": ["employee"]}, {"active": False}):
        response = sqlite_api.http.patch(f"/api/v1/users/{me['id']}", headers=admin, json=body)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "last_admin"
    second = sqlite_api.register("second")
    sqlite_api.http.patch(f"/api/v1/users/{second['id']}", headers=admin,
                          json={"roles": ["admin"]}).raise_for_status()
    demote = sqlite_api.http.patch(f"/api/v1/users/{me['id']}", headers=admin,
                                   json={"roles": ["employee"]})
    assert demote.status_code == 200


def test_admin_creates_accounts_with_policy_and_roles(sqlite_api) -> None:
    admin = sqlite_api.admin_headers()
    weak = sqlite_api.http.post("/api/v1/users", headers=admin, json={
        "username": "weakling", "email": "w@example.com", "password": "password1"})
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    made = sqlite_api.http.post("/api/v1/users", headers=admin, json={
        "username": "made", "email": "m@example.com", "password": PASSWORD,
        "roles": ["manager"], "employee_id": 12, "department_id": 2})
    assert made.status_code == 201
    assert made.json()["roles"] == ["manager"] and made.json()["employee_id"] == 12
    bad_role = sqlite_api.http.post("/api/v1/users", headers=admin, json={
        "username": "svc", "email": "s@example.com", "password": PASSWORD, "roles": ["service"]})
    assert bad_role.status_code == 422


def test_unknown_user_is_404_and_bad_ids_are_422(sqlite_api) -> None:
    admin = sqlite_api.admin_headers()
    assert sqlite_api.http.get("/api/v1/users/999", headers=admin).status_code == 404
    assert sqlite_api.http.get("/api/v1/users/abc", headers=admin).status_code == 422
    assert sqlite_api.http.get("/api/v1/users?limit=0", headers=admin).status_code == 422


def role_guarded_routes(app, *, refusing: str) -> list:
    """Routes guarded by roles that do not include `refusing` (a kiosk's own heartbeat does)."""
    def roles(route) -> set[str]:
        return {role for rule in access_rules_of(route.dependant) if rule.startswith("roles:")
                for role in rule.removeprefix("roles:").split(",")}
    return [route for route in api_routes(app) if roles(route) and refusing not in roles(route)]


def test_kiosk_and_employee_tokens_are_refused_every_role_guarded_route(sqlite_api) -> None:
    admin = sqlite_api.admin_headers()
    secret = sqlite_api.http.post("/api/v1/kiosks", json={"name": "door"},
                                  headers=admin).json()["device_secret"]
    kiosk = sqlite_api.http.post("/api/v1/auth/device-login",
                                 json={"device_secret": secret}).json()["access_token"]
    sqlite_api.register("plain")
    callers = {"kiosk": {"Authorization": f"Bearer {kiosk}"},
               "employee": sqlite_api.user_headers("plain")}
    for name, headers in callers.items():
        routes = role_guarded_routes(sqlite_api.http.app, refusing=name)
        assert len(routes) >= 8
        for route in routes:
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            for method in route.methods:
                response = sqlite_api.http.request(method, path, json={}, headers=headers)
                assert response.status_code == 403, f"{name}: {method} {route.path}"


def test_a_kiosk_token_has_no_account_to_change(sqlite_api) -> None:
    admin = sqlite_api.admin_headers()
    secret = sqlite_api.http.post("/api/v1/kiosks", json={"name": "door"},
                                  headers=admin).json()["device_secret"]
    token = sqlite_api.http.post("/api/v1/auth/device-login",
                                 json={"device_secret": secret}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert sqlite_api.http.patch("/api/v1/auth/me", json={"language": "en"},
                                 headers=headers).status_code == 404
    assert sqlite_api.http.post("/api/v1/auth/password/change", headers=headers, json={
        "current_password": "x" * 10, "new_password": "y" * 12}).status_code == 404


def test_hr_may_send_the_whole_form_when_only_the_link_changes(sqlite_api) -> None:
    target = sqlite_api.register("formuser")
    hr = sqlite_api.register("hrform")
    admin = sqlite_api.admin_headers()
    sqlite_api.http.patch(f"/api/v1/users/{hr['id']}", headers=admin,
                          json={"roles": ["hr"]}).raise_for_status()
    headers = sqlite_api.user_headers("hrform")
    whole_form = {"roles": ["employee"], "active": True, "employee_id": 77, "department_id": None}
    response = sqlite_api.http.patch(f"/api/v1/users/{target['id']}", headers=headers,
                                     json=whole_form)
    assert response.status_code == 200 and response.json()["employee_id"] == 77
    promote = {**whole_form, "roles": ["employee", "hr"]}
    assert sqlite_api.http.patch(f"/api/v1/users/{target['id']}", headers=headers,
                                 json=promote).status_code == 403
