"""The exercise engine: generic, driven by the exercise definitions; no MediaPipe, no OpenCV."""
