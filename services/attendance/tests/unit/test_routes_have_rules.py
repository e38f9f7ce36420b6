from __future__ import annotations

from fastapi.routing import iter_route_contexts

from attendance_svc.config import Settings
from attendance_svc.main import create_app
from faceclock_common.fastapi.security import access_rules_of


def _routes() -> list[tuple[str, str, list[str] | None]]:
    app = create_app(Settings(database_url="sqlite://"))
    found = []
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        methods = ",".join(sorted(context.methods or ()))
        found.append((context.path, methods,
                      access_rules_of(dependant) if dependant is not None else None))
    return found


def test_every_route_declares_an_access_rule() -> None:
    routes = _routes()
    assert len(routes) > 40
    # The OpenAPI document is a plain Starlette route: public by design, nothing else may be.
    plain = [path for path, _, rules in routes if rules is None]
    assert plain == ["/api/v1/openapi.json"]
    missing = [f"{methods} {path}" for path, methods, rules in routes if rules == []]
    assert missing == []


def test_internal_routes_are_service_only() -> None:
    internal = [(path, rules) for path, _, rules in _routes() if path.startswith("/internal")]
    assert len(internal) == 12  # with clock-ins/replay (the Idempotency-Key check) and recognition-tests
    assert all(rules == ["roles:service"] for _, rules in internal)


def test_writes_are_never_open_to_employees_or_kiosks_except_punching() -> None:
    for path, methods, rules in _routes():
        if rules is None or methods in ("GET", "GET,HEAD") or path.startswith("/internal"):
            continue
        joined = ",".join(rules)
        if path == "/api/v1/punches":
            assert "kiosk" in joined
            continue
        assert "kiosk" not in joined, (methods, path)
