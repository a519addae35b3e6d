"""Code location for Celery: the project's definitions plus ``refresh_all_celery``.

``refresh_all_celery`` hands each step to a Celery worker (dagster-celery's ``celery_executor``).
Every step opens the same warehouse file, so run one worker, with ``--concurrency 1``, on the
machine that holds ``ALLIANCE_DATA_DIR``; more workers help only once the warehouse lives in
MotherDuck or object storage (profiles.yml targets ``motherduck`` and ``s3``). The broker and result
backend URLs come from the environment, never from this file.

Serve it with ``dagster code-server start -f deploy/celery/definitions.py``; start the worker with
``dagster-celery worker start -A dagster_celery.app -y deploy/celery/celery.yaml -- --concurrency 1``.
"""

from dagster import AssetSelection, Definitions
from dagster_celery import celery_executor

from orchestration.definitions import build_definitions
from orchestration.lib.partitions import mixed_partitions_job  # monthly trade and daily articles in one job

BROKER = {
    "broker": {"env": "DAGSTER_CELERY_BROKER_URL"},
    "backend": {"env": "DAGSTER_CELERY_BACKEND_URL"},
}

refresh_all_celery = mixed_partitions_job(
    "refresh_all_celery", selection=AssetSelection.all(), executor_def=celery_executor.configured(BROKER),
    description="The full refresh with each step run by a Celery worker.")

defs = Definitions.merge(build_definitions(), Definitions(jobs=[refresh_all_celery]))
