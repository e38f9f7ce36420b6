"""Active liveness: a challenge of head turns and a blink, checked on a burst of frames."""
