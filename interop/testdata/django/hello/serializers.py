"""A refresh that rotates a token only when this request blacklisted it.

simplejwt's TokenRefreshSerializer checks the blacklist when it reads the
token and adds the token to it later with get_or_create, which succeeds when
another request (another Django worker, or a Go service sharing the tables)
blacklisted the token in between: both then rotate it. This serializer
refuses the refresh unless its own get_or_create created the blacklist row,
which the row's unique token_id makes true for one request only.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken


class OneWinnerRefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs):
        refresh = RefreshToken(attrs["refresh"])
        data = {"access": str(refresh.access_token)}
        _row, created = refresh.blacklist()
        if not created:
            raise InvalidToken(_("Token is blacklisted"))
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        data["refresh"] = str(refresh)
        return data
