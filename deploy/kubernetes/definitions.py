"""Code location for Kubernetes: the project's definitions plus ``refresh_all_k8s``.

``refresh_all`` (in process, inside the run pod that ``K8sRunLauncher`` starts) is the right job for
the nightly refresh: one pod, one DuckDB writer. ``refresh_all_k8s`` runs each step in a pod of its
own (dagster-k8s's ``k8s_job_executor``), for steps that need their own resources; it runs one step
at a time because every step opens the same warehouse file, so the data volume must be mountable by
successive pods (ReadWriteMany, or ReadWriteOnce on a single node).

Serve it with ``dagster code-server start -f deploy/kubernetes/definitions.py`` (or name it in the
Helm chart's user deployments).
"""

from dagster import AssetSelection, Definitions
from dagster_k8s import k8s_job_executor

from orchestration.definitions import build_definitions
from orchestration.lib.partitions import mixed_partitions_job  # monthly trade and daily articles in one job

STEP_PODS = {
    "job_namespace": "alliance",
    "service_account_name": "alliance-dagster",
    "max_concurrent": 1,
    "env_secrets": ["alliance-secrets"],
    "env_vars": ["ALLIANCE_DATA_DIR=/data", "DBT_TARGET"],
    "volume_mounts": [{"name": "alliance-data", "mount_path": "/data"}],
    "volumes": [{"name": "alliance-data", "persistent_volume_claim": {"claim_name": "alliance-data"}}],
}

refresh_all_k8s = mixed_partitions_job(
    "refresh_all_k8s", selection=AssetSelection.all(), executor_def=k8s_job_executor.configured(STEP_PODS),
    description="The full refresh with each step in its own Kubernetes pod, one at a time.")

defs = Definitions.merge(build_definitions(), Definitions(jobs=[refresh_all_k8s]))
