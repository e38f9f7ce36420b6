from faceclock_common.migrations import run_alembic_env
from recognition_svc.faces.models import Base

run_alembic_env(Base.metadata)
