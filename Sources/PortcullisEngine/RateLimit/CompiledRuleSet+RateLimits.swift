extension CompiledRuleSet {
    /// The rate-limit rules, in evaluation order.
    public var rateLimitRules: [CompiledRule] { (headerRules + bodyRules).filter { $0.rateLimit != nil } }

    /// This set with the counters of `previous` for every rate-limit rule whose id and definition
    /// (limit, window, burst, keys, fallback, max_keys, condition) are unchanged; other rules keep
    /// their own (empty) counters. A reload calls this so a client over its limit stays over it.
    public func keepingRateLimitState(of previous: CompiledRuleSet) -> CompiledRuleSet {
        var stores: [RuleID: (RateLimitDefinition, RateLimitStore)] = [:]
        for rule in previous.rateLimitRules {
            if let limit = rule.rateLimit { stores[rule.id] = (limit.definition, limit.store) }
        }
        guard !stores.isEmpty, rateLimitRules.contains(where: { stores[$0.id] != nil }) else { return self }
        return replacingRateLimits { rule, limit in
            guard let (definition, store) = stores[rule.id], definition == limit.definition else { return limit }
            return CompiledRateLimit(definition: definition, store: store)
        }
    }

    /// This set with empty counters of its own (what `portcullis check` runs examples against,
    /// so checking never touches a live proxy's counters).
    public func withFreshRateLimitState() -> CompiledRuleSet {
        guard !rateLimitRules.isEmpty else { return self }
        return replacingRateLimits { _, limit in CompiledRateLimit(definition: limit.definition) }
    }

    /// Empties every rate-limit rule's counters.
    public func resetRateLimitState() {
        for rule in rateLimitRules { rule.rateLimit?.store.reset() }
    }

    private func replacingRateLimits(_ replace: (CompiledRule, CompiledRateLimit) -> CompiledRateLimit) -> CompiledRuleSet {
        let rules = (headerRules + bodyRules).map { rule -> CompiledRule in
            guard let limit = rule.rateLimit else { return rule }
            var copy = rule
            copy.rateLimit = replace(rule, limit)
            return copy
        }
        return CompiledRuleSet(name: name, sourcePath: sourcePath, defaultAction: defaultAction, body: body,
                               rules: rules, mode: mode, limitOutcome: limitOutcome, sourceFiles: sourceFiles,
                               rateLimitSettings: rateLimitSettings, loadedAt: loadedAt, loadDuration: loadDuration)
    }
}
