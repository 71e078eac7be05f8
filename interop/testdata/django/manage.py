#!/usr/bin/python3
"""Django's command-line utility for the interop project.

Needs JWT_SIGNING_KEY and INTEROP_SQLITE_PATH in the environment; see
project/settings.py.
"""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
