// Test support: ptys, emupos harness, temp dirs, child processes.
