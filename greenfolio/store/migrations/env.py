"""Alembic environment: runs on the connection that ``greenfolio.store.migrate`` passes."""

from alembic import context

from greenfolio.store.migrate import include_object
from greenfolio.store.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `greenfolio db upgrade`, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
