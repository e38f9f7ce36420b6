"""Active liveness for face clock-ins: challenges, and the burst of frames that answers one."""
