"""README's "Environment variables" table names every environment variable the code reads.

The names are found in the source itself (its syntax tree): os.environ.get / os.environ[...] / os.getenv and the
settings' env_bool / env_list, with a constant name, in the settings and everywhere else in the project's code."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ["buurthulp", "netwerken", "matching", "evaluatie", "benchmarks", "tests", "manage.py"]
# The operating system's own, passed on to child processes by buurthulp/stack.py; not settings of ours.
SYSTEM = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _is_environ(node):
    return isinstance(node, ast.Attribute) and node.attr == "environ" and getattr(node.value, "id", None) == "os"


def names_read(source):
    names = set()
    for node in ast.walk(ast.parse(source)):
        target = None
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            reads = (
                (isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value))
                or (isinstance(func, ast.Attribute) and func.attr == "getenv" and getattr(func.value, "id", "") == "os")
                or (isinstance(func, ast.Name) and func.id in {"env_bool", "env_list"})
            )
            target = node.args[0].value if reads else None
        elif isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.slice, ast.Constant):
            target = node.slice.value
        if isinstance(target, str):
            names.add(target)
    return names


def code_files():
    for entry in CODE:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def readme_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Environment variables\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, re.MULTILINE))


def test_the_finder_sees_every_way_the_code_reads_the_environment():
    source = (
        "import os\nA = os.environ.get('A')\nB = os.environ['B']\nC = env_bool('C', False)\n"
        "D = env_list(\n    'D'\n)\nE = os.getenv('E')\nos.environ['F'] = 'x'\n"
    )
    assert names_read(source) >= {"A", "B", "C", "D", "E"}


def test_the_settings_read_what_the_readme_table_documents():
    settings = names_read((ROOT / "buurthulp" / "settings.py").read_text(encoding="utf-8"))
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_BACKEND", "SECURE_COOKIES"} <= settings  # the finder works here
    missing = sorted(settings - readme_table())
    assert not missing, f"read by buurthulp/settings.py but not in README's table: {missing}"


def test_every_environment_variable_the_code_reads_is_in_the_readme_table():
    read = {}
    for path in code_files():
        for name in names_read(path.read_text(encoding="utf-8")) - SYSTEM:
            read.setdefault(name, path.relative_to(ROOT).as_posix())
    missing = {name: where for name, where in sorted(read.items()) if name not in readme_table()}
    assert not missing, f"read by the code but not in README's 'Environment variables' table: {missing}"
