// The rule engine; see docs/ARCHITECTURE.md.
