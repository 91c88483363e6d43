import Testing

/// Expects `got` to be exactly `expected`, reporting the length and the first differing offset
/// instead of `#expect(got == expected)`: on a mismatch of large arrays Swift Testing diffs them,
/// which for megabytes runs for tens of minutes and looks like a hang.
func expectSameBytes(_ got: [UInt8], _ expected: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(got.count == expected.count, "length \(got.count), expected \(expected.count)",
            sourceLocation: sourceLocation)
    let first = zip(got.indices, expected.indices).first { got[$0.0] != expected[$0.1] }?.0
    #expect(first == nil, "the bytes differ from offset \(first ?? -1) on", sourceLocation: sourceLocation)
}
