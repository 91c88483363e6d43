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

    @Test func embeddedCopyCompilesWithoutTheFilesOnDisk() throws {
        let set = try EmbeddedRules.load()
        #expect(set.name == "default")
        #expect(set.ruleCount > 10)
        let onDisk = try RuleSetLoader().load(contentsOf: "/" + String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/") + "/Rules/default.yaml")
        #expect(set.ruleCount == onDisk.ruleCount)
    }

    @Test func everyPhraseFileIsEmbedded() throws {
        let root = "/" + String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        for (path, text) in EmbeddedRules.files {
            let bytes = try #require(try? FileBytes.read(root + "/Rules/" + path).get())
            #expect(String(decoding: bytes, as: UTF8.self) == text, "\(path) differs; run scripts/embed-default-rules.py")
        }
        #expect(!EmbeddedRules.files.isEmpty)
    }
}
