// Entry point only: every Dispatch handler is created inside non-isolated types (a closure written
// here would be inferred @MainActor and trap when it runs on another queue).
PortcullisCommand.main()
