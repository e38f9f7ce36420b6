from faceclock_common.migrations import run_alembic_env
from reporting_svc.db import Base
from reporting_svc.reports import models  # noqa: F401  (registers the tables on Base.metadata)

run_alembic_env(Base.metadata)
