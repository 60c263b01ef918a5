import sys

# Bytecode caches for the project and for pytest's rewritten test modules, even where PYTHONDONTWRITEBYTECODE
# is set (as on the development machine and in CI). Without them each pytest-xdist worker compiled the project
# and rewrote every test module's asserts again (about 10 s of CPU over a run), and each `python -m bot.cli`
# the tests start (which reads caches whatever the variable says) compiled the project from source. This
# package is imported before tests/conftest.py imports the project; the caches live in folders git ignores.
sys.dont_write_bytecode = False
