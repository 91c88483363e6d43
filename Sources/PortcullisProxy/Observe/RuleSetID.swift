import PortcullisEngine

/// A short content id of a loaded rule set, shown at `GET /rules` and in
/// `portcullis_rule_set_info`: FNV-1a (64-bit) over the bytes of its source files, so two loads
/// of the same files have the same id and any edit changes it.
public enum RuleSetID {
    public static func of(_ set: CompiledRuleSet) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for b in bytes {
                hash ^= UInt64(b)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        mix(set.name.utf8)
        for file in set.sourceFiles {
            mix(file.utf8)
            if case .success(let bytes) = FileBytes.read(file) { mix(bytes) }
        }
        if set.sourcePath == EmbeddedRules.sourcePath { mix(EmbeddedRules.defaultYAML.utf8) }
        if set.sourceFiles.isEmpty {
            // Embedded or built in memory: the load time tells loads apart.
            mix(String(set.loadedAt.components.seconds).utf8)
        }
        var hex: [UInt8] = []
        RequestIDGenerator.appendHex(hash, width: 16, to: &hex)
        return String(decoding: hex, as: UTF8.self)
    }
}
