/// The shipped `Rules/default.yaml`, compiled into the binary so `portcullis run` works from any
/// directory. A test keeps this copy identical to the file.
public enum EmbeddedRules {
    public static let defaultPath = "Rules/default.yaml"

    public static let defaultYAML = #"""
# The rule set `portcullis run` loads when no --rules FILE is given.
#
# The baseline rules (SQL injection, XSS, path traversal, scanners, login rate limits) arrive
# with the rule engine; until then this set lets every well-formed request through, and the
# loader refuses any file whose `rules:` list is not empty rather than ignore what it lists.
name: default
description: Portcullis baseline rule set (no rules yet)
default_action: allow            # allow | block: what happens when no rule decides
body: { inspect_limit: 16KiB, oversize: match }   # oversize: match | no_match | continue
rules: []
"""#
}
