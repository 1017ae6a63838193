"""Routines: the handouts' whole sessions, as data (``definition``), guided live and reported."""
