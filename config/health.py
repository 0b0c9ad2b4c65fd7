"""Probes for a load balancer: /healthz says the process is up, /readyz that it can serve."""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return JsonResponse({"status": "unavailable", "reason": type(error).__name__}, status=503)
    if pending:
        return JsonResponse(
            {"status": "unavailable", "reason": f"migrations not applied: {len(pending)}"},
            status=503,
        )
    return JsonResponse({"status": "ok"})
