"""Camera set-up checks (``coach calibrate camera``: camera.py checks, draw.py, command.py), personal
baselines and threshold fitting (issue 6)."""
