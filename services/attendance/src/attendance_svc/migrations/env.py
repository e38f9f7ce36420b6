from attendance_svc.models import metadata
from faceclock_common.migrations import run_alembic_env

run_alembic_env(metadata)
