from django.urls import path
from rest_framework_simplejwt import views as jwt_views

from hello.views import HelloView

urlpatterns = [
    path("api/token/", jwt_views.TokenObtainPairView.as_view()),
    path("api/token/refresh/", jwt_views.TokenRefreshView.as_view()),
    path("api/token/verify/", jwt_views.TokenVerifyView.as_view()),
    path("api/token/blacklist/", jwt_views.TokenBlacklistView.as_view()),
    path("hello/", HelloView.as_view()),
]
