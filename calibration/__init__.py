"""Camera set-up checks, personal baselines and threshold fitting (issue 6; not built yet)."""
