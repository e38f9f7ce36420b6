pytest_plugins = ["faceclock_dev.testing"]
