"""Issue 16: a concern the codebase already handles once is not handled a second way.

Each check reads the service sources: a new module that writes its own id bound, its own
"come back later" error or its own name for the production check fails here, naming the file.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from faceclock_common import bounds, errors, settings

ROOT = Path(__file__).resolve().parent.parent


def _sources() -> list[Path]:
    return [path for path in ROOT.glob("*/*/src/**/*.py")
            if "migrations" not in path.parts and ".venv" not in path.parts]


def test_sources_are_found() -> None:
    assert len(_sources()) > 100


def test_row_ids_and_offsets_are_bounded_in_one_place() -> None:
    power_of_two_bound = re.compile(r"2\s*\*\*\s*(31|53|63)\b|9007199254740991|2147483647")
    own = [str(path.relative_to(ROOT)) for path in _sources()
           if path.name != "bounds.py" and power_of_two_bound.search(path.read_text())]
    assert own == [], f"use faceclock_common.bounds instead: {own}"
    assert bounds.ROW_ID_MAX == 2**31 - 1  # fits attendance's INT ids on MariaDB


def test_retry_after_is_set_by_one_constructor() -> None:
    own = [str(path.relative_to(ROOT)) for path in _sources()
           if path.name != "errors.py" and '"Retry-After"' in path.read_text()]
    assert own == [], f"use faceclock_common.errors.try_later instead: {own}"


def test_every_service_names_its_production_check_the_same() -> None:
    other_names = re.compile(r"def (check_safe|check_secrets|check_production)\(")
    own = [str(path.relative_to(ROOT)) for path in _sources() if other_names.search(path.read_text())]
    assert own == [], own
    assert hasattr(settings.ServiceSettings, "check_production_safety")


CORE = ROOT / "libs" / "common" / "src" / "faceclock_common"
FRAMEWORKS = ("fastapi", "starlette", "uvicorn", "flask", "werkzeug", "grpc")


def test_the_common_core_imports_no_web_framework() -> None:
    """Every module of faceclock_common outside its FastAPI and Flask edges, imported in a fresh
    interpreter, loads none of the frameworks: Flask and gRPC services use the same core."""
    core = sorted(f"faceclock_common.{path.stem}" for path in CORE.glob("*.py")
                  if path.stem not in ("__init__", "flask"))
    assert "faceclock_common.security" in core and "faceclock_common.errors" in core
    probe = (f"import importlib, sys\nfor name in {core!r}: importlib.import_module(name)\n"
             f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(FRAMEWORKS)!r}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stdout


def _locked_dependencies(package: str) -> set[str]:
    """Every package uv.lock installs for `package` (its extras included), as the Dockerfile's
    `uv sync --package` does."""
    locked = {p["name"]: p for p in tomllib.loads((ROOT / "uv.lock").read_text())["package"]}
    seen: set[str] = set()
    todo = [(package, ())]
    while todo:
        name, extras = todo.pop()
        entry = locked[name]
        if (name, extras) in seen:  # type: ignore[comparison-overlap]
            continue
        seen.add((name, extras))  # type: ignore[arg-type]
        wanted = list(entry.get("dependencies", []))
        for extra in extras:
            wanted += entry.get("optional-dependencies", {}).get(extra, [])
        todo += [(dep["name"], tuple(dep.get("extra", ()))) for dep in wanted]
    return {name for name, _ in seen}  # type: ignore[misc]


def test_flask_and_grpc_services_install_no_fastapi() -> None:
    for package in ("faceclock-reporting", "faceclock-recognition"):
        installed = _locked_dependencies(package)
        assert "faceclock-common" in installed and "sqlalchemy" in installed, package
        assert installed.isdisjoint({"fastapi", "starlette", "uvicorn"}), package
    assert {"fastapi", "uvicorn"} <= _locked_dependencies("faceclock-attendance")


def test_one_bearer_header_parser() -> None:
    """HTTP and gRPC alike read `Authorization: Bearer` through security.bearer_token_of."""
    own = [str(path.relative_to(ROOT)) for path in _sources()
           if path.name != "security.py"
           and re.search(r'[!=]=\s*"bearer"', path.read_text(), re.IGNORECASE)]
    assert own == [], f"use faceclock_common.security.bearer_token_of instead: {own}"


def test_attendance_domains_record_the_audit_trail_without_depending_on_requests() -> None:
    """The audit trail is a package of its own; only the app, the table list and the results
    engine (which reads approved leave and overtime) import the requests domain."""
    package = ROOT / "services" / "attendance" / "src" / "attendance_svc"
    allowed = {"main.py", "models.py", "results/engine.py"}
    importers = {str(path.relative_to(package)) for path in package.rglob("*.py")
                 if "requests" not in path.relative_to(package).parts[:1]
                 and re.search(r"attendance_svc\.requests\b", path.read_text())}
    assert importers <= allowed, importers - allowed
    recorders = {str(path.relative_to(package)) for path in package.rglob("*.py")
                 if "from attendance_svc.audit.service import record" in path.read_text()}
    assert {"organisation/service.py", "scheduling/service.py", "requests/service.py"} <= recorders


def test_attendance_services_raise_domain_errors_and_the_edges_map_them() -> None:
    """Status numbers live at the edge: attendance's service modules raise NotFound, Conflict,
    ... and faceclock_common.errors.api_error_of gives every kind its one HTTP status."""
    package = ROOT / "services" / "attendance" / "src" / "attendance_svc"
    edge = {"router.py", "deps.py", "pagination.py"}
    with_status = [str(path.relative_to(package)) for path in package.rglob("*.py")
                   if path.name not in edge and re.search(r"ApiError\(\s*\d{3}", path.read_text())]
    assert with_status == [], with_status
    kinds = errors.DomainError.__subclasses__()
    assert len(kinds) >= 7
    for kind in kinds:
        answer = errors.api_error_of(kind("some_code", "A sentence."))
        assert (answer.code, answer.message) == ("some_code", "A sentence.")
        assert answer.status == errors.HTTP_STATUS_OF_DOMAIN_ERROR[kind]
    assert errors.api_error_of(errors.NotFound("x", "y")).status == 404


def test_every_service_database_has_the_same_naming_and_column_types() -> None:
    """One DB set-up: each service's declarative base takes faceclock_common.db's metadata
    conventions, and timestamps are faceclock_common.db.UtcDateTime everywhere."""
    from sqlalchemy import DateTime

    from attendance_svc.db import Base as AttendanceBase
    from auth_svc.db import Base as AuthBase
    from faceclock_common import db
    from recognition_svc.faces.models import Base as RecognitionBase
    from reporting_svc.db import Base as ReportingBase

    for base in (AttendanceBase, AuthBase, RecognitionBase, ReportingBase):
        assert dict(base.metadata.naming_convention) == {**base.metadata.naming_convention,
                                                          **db.NAMING}, base
        for table in base.metadata.tables.values():
            for column in table.columns:
                if isinstance(column.type, DateTime):
                    raise AssertionError(f"{table.name}.{column.name}: use UtcDateTime")
    own_utcnow = [str(path.relative_to(ROOT)) for path in _sources()
                  if path.name != "db.py" and "def utcnow(" in path.read_text()]
    assert own_utcnow == [], own_utcnow


def test_one_client_address_rule() -> None:
    """The gateway and auth read X-Forwarded-For through faceclock_common.addresses only."""
    own = [str(path.relative_to(ROOT)) for path in _sources()
           if path.name != "addresses.py" and "ip_network(" in path.read_text()]
    assert own == [], f"use faceclock_common.addresses instead: {own}"


def test_one_argon2_set_up() -> None:
    """Passwords and kiosk PINs are hashed by faceclock_common.hashing at one cost profile."""
    own = [str(path.relative_to(ROOT)) for path in _sources()
           if path.name != "hashing.py" and re.search(r"^\s*(from|import) argon2", path.read_text(),
                                                     re.MULTILINE)]
    assert own == [], f"use faceclock_common.hashing instead: {own}"
    from attendance_svc.organisation import pins

    stored = pins.hash_pin("4827")
    assert "$m=19456,t=2,p=1$" in stored and pins.verify_pin(stored, "4827")
    assert not pins.verify_pin(None, "4827") and not pins.verify_pin(stored, "4828")


def test_one_request_session_for_the_fastapi_services() -> None:
    """Auth and attendance take their per-request session from faceclock_common.fastapi.db."""
    own = [str(path.relative_to(ROOT)) for path in _sources()
           if "faceclock_common" not in path.parts and "def get_session(" in path.read_text()]
    assert own == [], f"use faceclock_common.fastapi.db.SessionDep instead: {own}"
    from attendance_svc import deps as attendance_deps
    from auth_svc import deps as auth_deps
    from faceclock_common.fastapi import db

    assert attendance_deps.SessionDep is db.SessionDep is auth_deps.SessionDep


def _transaction_ends(tree: ast.Module) -> set[str]:
    """The top-level functions (or "<module>") that call `.commit()` or `.rollback()`."""
    found: set[str] = set()

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inside = function
            if function == "<module>" and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inside = child.name
            if (isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)
                    and child.func.attr in ("commit", "rollback")):
                found.add(inside)
            visit(child, inside)

    visit(tree, "<module>")
    return found


def _package_transaction_ends(service: str) -> set[str]:
    package = ROOT / "services" / service / "src" / f"{service}_svc"
    assert (package / "main.py").is_file() or (package / "__main__.py").is_file(), package
    return {f"{path.relative_to(package)}:{function}"
            for path in package.rglob("*.py") if "migrations" not in path.parts
            for function in _transaction_ends(ast.parse(path.read_text()))}


def test_attendance_services_flush_and_the_edge_commits() -> None:
    """One transaction per request: attendance's modules never commit or roll back. A request's
    transaction ends in faceclock_common.fastapi.db (commit after the route, rollback on any
    error); work outside a request ends its own with faceclock_common.db.session_scope."""
    ending = _package_transaction_ends("attendance")
    assert ending == set(), f"flush, and let the edge commit: {sorted(ending)}"


def test_auth_services_flush_and_the_edge_commits() -> None:
    """The same in auth: what must stand although the answer is an error (a reused refresh
    token's revoked family) is written through session_scope, never a commit of its own."""
    ending = _package_transaction_ends("auth")
    assert ending == set(), f"flush, and let the edge commit: {sorted(ending)}"


STORE_OPERATIONS = {"count", "lock", "locked_for", "reset", "hit", "record_failure"}


def test_the_throttles_exist_once() -> None:
    """The gateway's budgets, auth's back-off and attendance's badge + PIN lockout all count
    through faceclock_common.throttle: no service defines a store of its own (a class with the
    store's operations), talks to Redis counters itself or keeps the old limiters."""
    own_stores = []
    for path in _sources():
        if path == CORE / "throttle.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                methods = {item.name for item in node.body
                           if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)}
                if methods & STORE_OPERATIONS:
                    own_stores.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert own_stores == [], f"use faceclock_common.throttle instead: {own_stores}"
    redis_counters = re.compile(r"\.(incr|incrby|expire|pexpire|pttl)\(")
    own = [str(path.relative_to(ROOT)) for path in _sources()
           if path != CORE / "throttle.py" and redis_counters.search(path.read_text())]
    assert own == [], f"use faceclock_common.throttle instead: {own}"

    from attendance_svc.clocking import lockout, models
    from auth_svc.throttle import service as auth_throttle
    from faceclock_common import throttle
    from gateway_svc import deps as gateway_deps

    assert gateway_deps.Budget is throttle.Budget and gateway_deps.StoreDown is throttle.StoreDown
    assert auth_throttle.Backoff is throttle.Backoff
    assert isinstance(lockout.POLICY, throttle.Backoff) and lockout.Store is throttle.Store
    assert importlib.util.find_spec("gateway_svc.ratelimit") is None
    assert not hasattr(models, "ManualClockInAttempt")
    # One table shape for the database store, in every service that has one.
    from attendance_svc.models import metadata as attendance_metadata
    from auth_svc.models import Base as AuthBase

    shapes = {repr([(c.name, str(c.type), c.nullable, c.primary_key) for c in table.columns])
              for table in (attendance_metadata.tables["throttle_counters"],
                            AuthBase.metadata.tables["throttle_counters"])}
    assert len(shapes) == 1
