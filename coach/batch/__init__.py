"""Many recordings at once: the job list (``jobs``), one recording in a worker (``worker``), the
summary (``summary``) and the command with its local and Dask engines (``command``)."""
