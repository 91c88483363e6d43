extension RequestCache {
    /// Summarizes `body` and each of its arguments' names and values (`args`, as `body.args`
    /// reads them) in one pass over the body, and seeds their memos: a name or value that is a
    /// stretch of the body (not decoded, in order) is a piece of the pass; any other is
    /// summarized on its own. Fills `bodyWhole`, `bodyNames` and `bodyValues`.
    ///
    /// `exactBytes`: every piece's byte set must be its own (`EvaluationPlan.exactPieceBytes`);
    /// otherwise only those a filter may read are (see `LiteralScreen.Tables.summarize`).
    mutating func summarizeBodyPieces(_ args: [TargetValue], body: [UInt8], screen: LiteralScreen.Tables,
                                      exactBytes: Bool) {
        let n = args.count
        Self.size(&bodyNames.summaries, n, ValueSummary())
        Self.size(&bodyValues.summaries, n, ValueSummary())
        Self.size(&bodyNames.memos, n, 0)
        Self.size(&bodyValues.memos, n, 0)
        Self.size(&pieces, 2 * n, LiteralScreen.Piece(range: 0..<0, slot: 0))
        var placed = 0
        // Names and values that are not pieces, together, and the longest of each.
        var own = (LiteralScreen.GroupTotal(), LiteralScreen.GroupTotal())
        var longest = (0, 0)
        body.withUnsafeBytes { text in
            let base = text.baseAddress!
            var end = 0
            // A stretch of the body after the last one placed is a piece; any other value
            // (decoded, built, empty, out of order) is summarized here.
            // (Written through a pointer, not appended: nothing in the loop may release memory,
            // or each slice would be retained around its use.)
            @inline(__always)
            func place(_ bytes: UnsafeRawBufferPointer, _ slot: Int, _ total: inout LiteralScreen.GroupTotal,
                       _ summary: inout ValueSummary, _ memo: inout UInt64,
                       _ pieces: UnsafeMutableBufferPointer<LiteralScreen.Piece>) {
                // (Unchecked arithmetic: offsets within one array, counts below its size.)
                if let start = bytes.baseAddress, !bytes.isEmpty, start - base >= end,
                   start - base &+ bytes.count <= text.count {
                    let offset = start - base
                    end = offset &+ bytes.count
                    pieces[placed] = LiteralScreen.Piece(range: Range(uncheckedBounds: (offset, end)),
                                                         slot: Int32(truncatingIfNeeded: slot))
                    placed &+= 1
                } else {
                    summary = ValueSummary(bytes, screen: screen)
                    memo = TransformationIdentity.unchangedMask(of: bytes)
                    total.summary.formUnion(summary)
                    total.unchanged &= memo
                }
            }
            bodyNames.summaries.withUnsafeMutableBufferPointer { nameSummaries in
            bodyValues.summaries.withUnsafeMutableBufferPointer { valueSummaries in
            bodyNames.memos.withUnsafeMutableBufferPointer { nameMemos in
            bodyValues.memos.withUnsafeMutableBufferPointer { valueMemos in
            pieces.withUnsafeMutableBufferPointer { pieces in
                // By index: an element copy would retain its slices' storage.
                for k in args.indices {
                    args[k].name.withUnsafeBytes {
                        longest.0 = max(longest.0, $0.count)
                        place($0, k &* 2, &own.0, &nameSummaries[k], &nameMemos[k], pieces)
                    }
                    args[k].value.withUnsafeBytes {
                        longest.1 = max(longest.1, $0.count)
                        place($0, k &* 2 &+ 1, &own.1, &valueSummaries[k], &valueMemos[k], pieces)
                    }
                }
                var groups = (LiteralScreen.GroupTotal(), LiteralScreen.GroupTotal())
                bodyWhole = screen.summarize(text, pieces: UnsafeBufferPointer(rebasing: pieces[0..<placed]),
                                             exactBytes: exactBytes,
                                             into: (LiteralScreen.PieceOutput(summaries: nameSummaries.baseAddress!,
                                                                              unchanged: nameMemos.baseAddress!),
                                                    LiteralScreen.PieceOutput(summaries: valueSummaries.baseAddress!,
                                                                              unchanged: valueMemos.baseAddress!)),
                                             groups: &groups)
                own.0.summary.formUnion(groups.0.summary)
                own.0.unchanged &= groups.0.unchanged
                own.1.summary.formUnion(groups.1.summary)
                own.1.unchanged &= groups.1.unchanged
            }
            }
            }
            }
            }
        }
        bodyNames.union = own.0.summary
        bodyNames.unchangedByAll = own.0.unchanged
        bodyNames.longest = longest.0
        bodyValues.union = own.1.summary
        bodyValues.unchangedByAll = own.1.unchanged
        bodyValues.longest = longest.1
        bodyPiecesReady = true
    }

    /// `table` with exactly `count` elements (its capacity kept), each `filler` where new.
    private static func size<T>(_ table: inout [T], _ count: Int, _ filler: T) {
        if table.count > count {
            table.removeLast(table.count - count)
        } else if table.count < count {
            // One by one: `append(contentsOf: repeatElement(…))` takes an unspecialised generic
            // path here (a runtime conformance lookup per call).
            table.reserveCapacity(count)
            while table.count < count { table.append(filler) }
        }
    }
}
