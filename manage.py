#!/usr/bin/env python
import os
import secrets
import sys

# Commands that sign nothing a person will ever hold (no server, no mail, no links): they run without a
# SECRET_KEY, on a throwaway one. Serving (runserver, gunicorn, Celery) still refuses without one.
NO_SECRET_NEEDED = {"check", "makemigrations", "showmigrations", "makemessages", "compilemessages", "help"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurthulp.settings")
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command in NO_SECRET_NEEDED and not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
