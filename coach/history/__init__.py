"""Session history: every ``coach analyze`` and ``coach live`` session, remembered in one SQLite file.

- ``store``: the database (schema versions, migrations, reading and writing rows).
- ``record``: what a session's report.json contributes to the history; recording never fails a run.
- ``trend``: the trend plot (reps, good-rep share, range of motion, hold time per session).
- ``words``: what a range-of-motion measure is called, in plain words with its unit.
- ``command``: ``coach history``.
"""
