extension EmbeddedRules {
    /// The name the embedded set is loaded under; its phrase files resolve beside it.
    public static let sourcePath = "(embedded) Rules/default.yaml"

    /// Compiles the embedded default rules, phrase files served from the embedded copies.
    public static func load() throws(RuleSetLoadError) -> CompiledRuleSet {
        var loader = RuleSetLoader()
        var bundled: [String: [UInt8]] = [:]
        for (path, text) in files { bundled["(embedded) Rules/" + path] = Array(text.utf8) }
        loader.bundledFiles = bundled
        return try loader.load(yaml: defaultYAML, sourcePath: sourcePath)
    }
}
