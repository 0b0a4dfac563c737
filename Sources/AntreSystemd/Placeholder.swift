// sd_notify without libsystemd.
