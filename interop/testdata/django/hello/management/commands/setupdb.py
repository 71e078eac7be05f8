"""Migrates the database and creates the users the interop tests log in as."""
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand

USERS = [
    # id, username, password, is_active
    (1, "vitor", "123", True),
    (2, "inactive", "123", False),
]


class Command(BaseCommand):
    help = "Migrate, then create vitor/123 (id 1) and an inactive user inactive/123 (id 2)."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        for pk, username, password, active in USERS:
            User.objects.filter(username=username).delete()
            user = User(id=pk, username=username, is_active=active)
            user.set_password(password)
            user.save()
