from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The plant's user. A custom model from day one so fields can be added without a migration dance.

    A user's role is their group (Owner, Manager or Staff); see ``accounts.roles``.
    """

    # Every API token carries the version it was issued under; raising it ends all of them at once.
    token_version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Raised to end every API token the user holds."
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return full_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        """Set the password and end the user's API tokens with it (saved with the password).

        Every way of changing a password (the change pages, Django admin, ``changepassword``)
        comes through here, so none of them can leave a token issued before it alive.
        """
        super().set_password(raw_password)
        self.token_version += 1

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self.token_version += 1

    # A correct password in an outdated hash is re-hashed and saved through ``set_password``; that is
    # not a password change, and the version it raised in memory was not saved: put it back.
    def check_password(self, raw_password: str) -> bool:
        version = self.token_version
        try:
            return super().check_password(raw_password)
        finally:
            self.token_version = version

    async def acheck_password(self, raw_password: str) -> bool:
        version = self.token_version
        try:
            return await super().acheck_password(raw_password)
        finally:
            self.token_version = version


class RevokedTokenChain(models.Model):
    """A login's chain of API tokens that ended early: by logout, or because one of its rotated
    refresh tokens was presented again (a copy is in someone else's hands).

    Every access and refresh token of the chain carries its id, and the JWT request reads this table
    in the same query as the user. A row is only needed until the chain's absolute end.
    """

    chain = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=40)
    revoked_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(help_text="When every token of the chain has expired anyway")

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="revoked_chain_expires")]

    def __str__(self) -> str:
        return f"{self.chain} ({self.reason})"


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
