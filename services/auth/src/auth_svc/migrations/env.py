from auth_svc.models import Base
from faceclock_common.migrations import run_alembic_env

run_alembic_env(Base.metadata)
