"""The OpenAPI document of /api/v1/reports, built from the same pydantic models the routes use.

Flask has no schema generator of its own; the gateway merges this document into the one it
publishes at /api/v1/openapi.json.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from pydantic.json_schema import models_json_schema

from faceclock_common.flask import public
from reporting_svc.reports.schemas import ReportCreate, ReportPage, ReportRead

_REF = "#/components/schemas/{model}"


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def build_document() -> dict[str, Any]:
    _, definitions = models_json_schema(
        [(ReportCreate, "validation"), (ReportRead, "serialization"), (ReportPage, "serialization")],
        ref_template=_REF)
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    schemas["Error"] = {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}
    report_id = {"name": "report_id", "in": "path", "required": True,
                 "schema": {"type": "integer", "minimum": 1}}
    common_errors = {"401": _error("No or invalid token"), "404": _error("No such report")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "FaceClock reporting", "version": "v1"},
        "paths": {
            "/api/v1/reports": {
                "post": {
                    "summary": "Request a CSV report", "tags": ["reports"],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ReportCreate"}}}},
                    "responses": {
                        "202": {"description": "Queued", "content": {"application/json": {"schema": {
                            "type": "object", "properties": {"id": {"type": "integer"},
                                                             "status": {"type": "string"}}}}}},
                        "403": _error("Role may not request this kind"),
                        "422": _error("Invalid kind or parameters"),
                        "429": _error("Too many reports in progress"),
                        **common_errors},
                },
                "get": {
                    "summary": "Report history, newest first", "tags": ["reports"],
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                        {"name": "scope", "in": "query", "schema": {"enum": ["mine", "all"]}},
                    ],
                    "responses": {"200": _json("ReportPage", "A page of reports"), **common_errors},
                },
            },
            "/api/v1/reports/{report_id}": {"get": {
                "summary": "A report's status and progress", "tags": ["reports"],
                "parameters": [report_id],
                "responses": {"200": _json("ReportRead", "The report"), **common_errors},
            }},
            "/api/v1/reports/{report_id}/download": {"get": {
                "summary": "Download a finished report", "tags": ["reports"],
                "parameters": [report_id],
                "responses": {
                    "200": {"description": "The CSV file (UTF-8 with BOM)",
                            "content": {"text/csv": {"schema": {"type": "string"}}}},
                    "409": _error("Not finished yet"), "410": _error("Deleted by retention"),
                    **common_errors},
            }},
        },
        "components": {"schemas": schemas},
    }


def openapi_blueprint() -> Blueprint:
    blueprint = Blueprint("openapi", __name__)
    document = build_document()

    @blueprint.get("/api/v1/openapi.json")
    @public
    def openapi_json() -> Response:
        return jsonify(document)

    return blueprint
