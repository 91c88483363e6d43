// Dispatch I/O; see docs/ARCHITECTURE.md.
