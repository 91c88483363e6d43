import Glibc
import PortcullisEngine
import Testing

/// The copy of `Rules/default.yaml` compiled into the binary must be the file itself.
@Suite struct EmbeddedRulesTests {
    @Test func embeddedCopyEqualsTheShippedFile() throws {
        let root = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let path = "/" + root + "/Rules/default.yaml"
        let bytes = try #require(try? FileBytes.read(path).get(), "cannot read \(path)")
        #expect(String(decoding: bytes, as: UTF8.self) == EmbeddedRules.defaultYAML,
                "run scripts/embed-default-rules.py after editing Rules/default.yaml")
    }

    @Test func embeddedCopyCompiles() throws {
        let set = try RuleSetLoader().load(yaml: EmbeddedRules.defaultYAML, sourcePath: "embedded")
        #expect(set.name == "default")
    }
}
