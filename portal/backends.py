"""Log in with a mobile number or an ID number; each request's user is loaded in one query."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from portal.models import User
from portal.request_user import load_user


class MobileOrIdNumberBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = User.objects.get_by_login(username)
        if user is None:
            User().set_password(password)  # same cost as a real check (timing)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The request's user (``AuthenticationMiddleware``, with the session's user id): its row
        without the encrypted ID number, its roles and unread count, in one pre-built query
        (``portal.request_user``), instead of the ORM's freshly compiled ``get()``. Inactive users
        are refused as before; Django then checks the session's auth hash against this user."""
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
