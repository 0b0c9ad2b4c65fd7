from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The plant's user. A custom model from day one so fields can be added without a migration dance.

    A user's role is their group (Owner, Manager or Staff); see ``accounts.roles``.
    """

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return full_name or self.username
