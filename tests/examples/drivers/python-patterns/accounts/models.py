from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The custom user model the document recommends from the first migration (AUTH_USER_MODEL)."""
