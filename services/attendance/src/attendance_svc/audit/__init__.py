"""The audit trail: every domain records its changes here (audit.service.record), inside the
change's own transaction; HR, managers and other services read it at GET /api/v1/audit."""
