"""coach: a pose-checking webcam coach for back-pain exercises."""

__version__ = "0.1.0"
