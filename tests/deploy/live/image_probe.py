"""Run inside a FaceClock image (stdin of `python -`): import the service, then load each
driver and transport its environment names, as the running service would on first use.
Prints what it loaded; any missing module is an ImportError and a non-zero exit."""

import importlib
import os

service = os.environ["FACECLOCK_SERVICE"]
loaded = [importlib.import_module(f"{service}_svc.main").__name__,
          importlib.import_module("faceclock_common.healthcheck").__name__]

for name, value in sorted(os.environ.items()):
    if name.endswith("_DATABASE_URL"):
        from sqlalchemy.engine import make_url

        dialect = make_url(value).get_dialect()
        loaded.append(f"{name}: {dialect.name}+{dialect.import_dbapi().__name__}")
    elif name.endswith("_BROKER_URL"):
        from celery import Celery

        app = Celery(broker=value)
        with app.connection_for_write() as connection:
            transport = connection.transport  # imports the transport module and its client
            loaded.append(f"{name}: {type(transport).__module__}")
    elif name.endswith("_REDIS_URL"):
        import redis.asyncio

        redis.asyncio.Redis.from_url(value)
        loaded.append(f"{name}: redis {importlib.import_module('redis').__version__}")

if service in ("gateway", "recognition"):
    loaded.append(importlib.import_module("grpc_health.v1.health_pb2_grpc").__name__)
if service == "recognition":
    for module in ("faiss", "dlib", "face_recognition", "face_recognition_models"):
        loaded.append(importlib.import_module(module).__name__)

print("; ".join(loaded))
