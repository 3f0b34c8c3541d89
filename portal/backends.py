"""Log in with a mobile number or an ID number."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from portal.models import User


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
