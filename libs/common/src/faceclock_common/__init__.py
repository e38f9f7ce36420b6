"""Code every FaceClock service shares: settings, logging, database, tokens, errors, health."""
