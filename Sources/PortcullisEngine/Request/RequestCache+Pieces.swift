extension RequestCache {
    /// Summarizes `body` and each of its arguments' names and values (`args`, as `body.args`
    /// reads them: a JSON or multipart body's) in one pass over the body, and seeds their memos:
    /// a name or value that is a stretch of the body (not decoded, in order) is a piece of the
    /// pass; any other is summarized on its own. Fills `bodyPieces`.
    ///
    /// `exactBytes`: every piece's byte set must be its own (`EvaluationPlan.exactPieceBytes`);
    /// otherwise only those a filter may read are (see `LiteralScreen.Tables.summarize`).
    mutating func summarizeBodyPieces(_ args: [TargetValue], body: [UInt8], screen: LiteralScreen.Tables,
                                      exactBytes: Bool) {
        body.withUnsafeBytes { text in
            let base = text.baseAddress
            Self.summarize(args.count, text, screen, exactBytes, &bodyPieces, &pieces) { k, place in
                // By index: an element copy would retain its slices' storage.
                args[k].name.withUnsafeBytes { bytes in
                    place(Self.offset(bytes, in: base, text.count), bytes)
                }
                args[k].value.withUnsafeBytes { bytes in
                    place(Self.offset(bytes, in: base, text.count), bytes)
                }
            }
        }
    }

    /// Summarizes a urlencoded `body` and each of its `count` arguments (at most `limit`, as
    /// `URLEncodedArguments.shape` counted them) in one pass that cuts it as it goes
    /// (`LiteralScreen.Tables.summarizeForm`), without making values: a name or value that needs
    /// no decoding is its bytes in the body, one that does is decoded and summarized on its own.
    /// Fills `bodyPieces`. (`shape` is `RequestView.FormShape`'s: the count and where the pass
    /// splits the body into lanes.)
    mutating func summarizeForm(_ body: UnsafeRawBufferPointer, shape: RequestView.FormShape, limit: Int,
                                screen: LiteralScreen.Tables, exactBytes: Bool) {
        let count = shape.count
        Self.size(&bodyPieces.names.summaries, count, ValueSummary())
        Self.size(&bodyPieces.values.summaries, count, ValueSummary())
        Self.size(&bodyPieces.names.memos, count, 0)
        Self.size(&bodyPieces.values.memos, count, 0)
        var groups = (LiteralScreen.GroupTotal(), LiteralScreen.GroupTotal())
        var longest = (0, 0)
        bodyPieces.names.summaries.withUnsafeMutableBufferPointer { nameSummaries in
        bodyPieces.values.summaries.withUnsafeMutableBufferPointer { valueSummaries in
        bodyPieces.names.memos.withUnsafeMutableBufferPointer { nameMemos in
        bodyPieces.values.memos.withUnsafeMutableBufferPointer { valueMemos in
            // (Base addresses of empty buffers may be nil; nothing is written through them then.)
            let stub = UnsafeMutablePointer<ValueSummary>(bitPattern: MemoryLayout<ValueSummary>.alignment)!
            let memoStub = UnsafeMutablePointer<UInt64>(bitPattern: MemoryLayout<UInt64>.alignment)!
            bodyPieces.whole = screen.summarizeForm(
                body, count: count, split: shape.split, limit: limit, exactBytes: exactBytes,
                into: (LiteralScreen.PieceOutput(summaries: nameSummaries.baseAddress ?? stub,
                                                 unchanged: nameMemos.baseAddress ?? memoStub),
                       LiteralScreen.PieceOutput(summaries: valueSummaries.baseAddress ?? stub,
                                                 unchanged: valueMemos.baseAddress ?? memoStub)),
                groups: &groups, longest: &longest)
        }
        }
        }
        }
        bodyPieces.finish(groups, longest: longest, textLength: body.count)
    }

    /// Where `bytes` starts in the `count` bytes at `base`, or -1 when it lies elsewhere.
    @inline(__always)
    private static func offset(_ bytes: UnsafeRawBufferPointer, in base: UnsafeRawPointer?, _ count: Int) -> Int {
        guard let start = bytes.baseAddress, let base, start >= base, start - base <= count else { return -1 }
        return start - base
    }

    /// The pass itself, over `text` (the body) and `n` arguments. `arguments(k, place)` hands
    /// `place` the name, then the value, of argument `k`: each with its offset in the text, or -1
    /// when its bytes are not the text's (decoded, built).
    ///
    /// A name or value at an offset after the last one placed is a piece; any other (elsewhere,
    /// empty, out of order) is summarized here on its own.
    @inline(__always)
    private static func summarize(_ n: Int, _ text: UnsafeRawBufferPointer, _ screen: LiteralScreen.Tables,
                                  _ exactBytes: Bool, _ out: inout BodyPieces, _ pieces: inout [LiteralScreen.Piece],
                                  _ arguments: (Int, (Int, UnsafeRawBufferPointer) -> Void) -> Void) {
        size(&out.names.summaries, n, ValueSummary())
        size(&out.values.summaries, n, ValueSummary())
        size(&out.names.memos, n, 0)
        size(&out.values.memos, n, 0)
        size(&pieces, 2 * n, LiteralScreen.Piece(range: 0..<0, slot: 0))
        var placed = 0
        // Names and values that are not pieces, together, and the longest of each.
        var own = (LiteralScreen.GroupTotal(), LiteralScreen.GroupTotal())
        var longest = (0, 0)
        var end = 0
        // (Written through pointers, not appended: nothing in the loop may release memory, or
        // each slice would be retained around its use.)
        out.names.summaries.withUnsafeMutableBufferPointer { nameSummaries in
        out.values.summaries.withUnsafeMutableBufferPointer { valueSummaries in
        out.names.memos.withUnsafeMutableBufferPointer { nameMemos in
        out.values.memos.withUnsafeMutableBufferPointer { valueMemos in
        pieces.withUnsafeMutableBufferPointer { pieces in
            for k in 0..<n {
                var half = 0
                arguments(k) { offset, bytes in
                    // (Unchecked arithmetic: offsets within one text, counts below its size.)
                    let slot = k &* 2 &+ half
                    if half == 0 { longest.0 = max(longest.0, bytes.count) } else { longest.1 = max(longest.1, bytes.count) }
                    if offset >= end, !bytes.isEmpty, offset &+ bytes.count <= text.count {
                        end = offset &+ bytes.count
                        pieces[placed] = LiteralScreen.Piece(range: Range(uncheckedBounds: (offset, end)),
                                                             slot: Int32(truncatingIfNeeded: slot))
                        placed &+= 1
                    } else {
                        let summary = ValueSummary(bytes, screen: screen)
                        let memo = TransformationIdentity.unchangedMask(of: bytes)
                        if half == 0 {
                            nameSummaries[k] = summary
                            nameMemos[k] = memo
                            own.0.summary.formUnion(summary)
                            own.0.unchanged &= memo
                        } else {
                            valueSummaries[k] = summary
                            valueMemos[k] = memo
                            own.1.summary.formUnion(summary)
                            own.1.unchanged &= memo
                        }
                    }
                    half = 1
                }
            }
            var groups = (LiteralScreen.GroupTotal(), LiteralScreen.GroupTotal())
            out.whole = screen.summarize(text, pieces: UnsafeBufferPointer(rebasing: pieces[0..<placed]),
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
        out.finish(own, longest: longest, textLength: text.count)
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

extension RequestCache {
    /// Appends the memos of `role`'s `count` raw values from the body's pass (made already) and
    /// returns their AND; nil when the pass holds no memos for them (then they are seeded from
    /// the values).
    mutating func appendPieceMemos(_ role: PieceRole, count: Int) -> UInt64? {
        switch role {
        case .whole where count == 1:
            let mask = TransformationIdentity.unchangedMask(of: bodyPieces.whole.bytes)
            memos.append(mask)
            return mask
        case .argNames where bodyPieces.names.memos.count == count:
            memos.append(contentsOf: bodyPieces.names.memos)
            return bodyPieces.names.unchangedByAll
        case .argValues where bodyPieces.values.memos.count == count:
            memos.append(contentsOf: bodyPieces.values.memos)
            return bodyPieces.values.unchangedByAll
        default:
            return nil
        }
    }

    /// Appends the summaries of `role`'s `count` raw values from the body's pass (made already)
    /// and returns their union and the longest value's length; nil as for `appendPieceMemos`.
    mutating func appendPieceSummaries(_ role: PieceRole, count: Int) -> (union: ValueSummary, longest: Int)? {
        switch role {
        case .whole where count == 1:
            summaries.append(bodyPieces.whole)
            return (bodyPieces.whole, bodyPieces.textLength)
        case .argNames where bodyPieces.names.summaries.count == count:
            summaries.append(contentsOf: bodyPieces.names.summaries)
            return (bodyPieces.names.union, bodyPieces.names.longest)
        case .argValues where bodyPieces.values.summaries.count == count:
            summaries.append(contentsOf: bodyPieces.values.summaries)
            return (bodyPieces.values.union, bodyPieces.values.longest)
        default:
            return nil
        }
    }
}
