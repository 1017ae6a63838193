"""``coach live``: real-time coaching from a webcam (or a video file played as one).

capture (newest frame, own thread) -> pose backend -> set-up guidance, then the exercise checker
-> overlay + spoken cues -> window (or headless); the session record is written as it goes.

- ``capture``: the capture thread and camera opening.
- ``setup``: guiding the person into a usable position, then the countdown (pure).
- ``speech``: spoken cues through a text-to-speech program, off the video loop's thread.
- ``stats``: frame rate and glass-to-overlay latency (pure).
- ``session``: the incremental record (trace each frame, report.json every few seconds and at the end).
- ``display``: the OpenCV window or nothing (headless), and the keys; ``screen``: the window fitted to the screen.
- ``hud``: what the live view adds to the overlay (countdown, pause, controls, stats, speech state).
- ``body_controls``: hands-free control from the pose: sitting up pauses, a raised hand stops for pain (pure).
- ``pauses``: the pauses, by key or body, as the report keeps them.
- ``status_line``: ``--headless`` in a terminal: one updating status line (plain lines in a pipe).
- ``pain_rating``: the end-of-session "How is your pain now, 0 to 10?".
- ``voice``: what is said aloud and when; ``stop``: Ctrl-C and SIGTERM asking the loop to stop.
- ``loop``: the main loop that ties them together; ``command``: the ``coach live`` command line.
"""
