from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The plant's user. A custom model from day one so fields can be added without a migration dance.

    A user's role is their group (Owner, Manager or Staff); see ``accounts.roles``.
    """

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return full_name or self.username


class IdempotencyRecord(models.Model):
    """The first answer to an API request sent with an ``Idempotency-Key``, replayed on a repeat.

    Unique per user and key: of two concurrent requests with one key, the second waits on the
    first's insert and then replays its answer instead of creating a second document.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} → {self.status_code}"
