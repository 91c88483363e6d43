import PortcullisHTTP

/// The field names a rule set's phases ask whether a request has (each `header:NAME` screen
/// target's name, and `Cookie`), at most 64, each with a bit: which of them a request's fields
/// hold is found in one pass over its fields (`RequestView.fieldNames(in:)`), instead of one walk
/// over the fields per name.
///
/// Names are matched as `header:NAME` matches them (ASCII case folded). A 64-entry table keyed by a
/// name's length and folded first byte gives the bits of the names that may match a field, so a
/// field whose length and first byte fit no name costs a load and a test; each candidate is then
/// compared. In flat memory, read without reference counting (`PlanTables` frees it with the plan).
struct FieldNameTable: @unchecked Sendable {
    static let capacity = 64
    /// Per bucket (`bucket(length:first:)`): the bits of the names that fall in it.
    let buckets: UnsafePointer<UInt64>
    /// Name `k` is `bytes[starts[k]..<starts[k + 1]]`, as the first rule that named it wrote it.
    let starts: UnsafePointer<Int32>
    let bytes: UnsafePointer<UInt8>
    let count: Int

    /// A table of `names`, each distinct (ASCII case folded) name once, the first `capacity` of them.
    init(_ names: [[UInt8]]) {
        var kept: [[UInt8]] = []
        for name in names where !name.isEmpty && kept.count < Self.capacity {
            if !kept.contains(where: { ASCII.equalsIgnoringCase($0, name) }) { kept.append(name) }
        }
        var buckets = [UInt64](repeating: 0, count: 64)
        var starts: [Int32] = [0]
        var bytes: [UInt8] = []
        for (k, name) in kept.enumerated() {
            buckets[Self.bucket(length: name.count, first: name[0])] |= 1 &<< UInt64(k)
            bytes.append(contentsOf: name)
            starts.append(Int32(bytes.count))
        }
        self.buckets = PlanTables.copy(buckets)
        self.starts = PlanTables.copy(starts)
        self.bytes = PlanTables.copy(bytes)
        self.count = kept.count
    }

    /// The bucket of a name of `length` bytes starting with `first`: names equal but for ASCII
    /// case fall in the same one.
    @inline(__always)
    static func bucket(length: Int, first: UInt8) -> Int {
        ((length &* 13) ^ Int(first | 0x20)) & 63
    }

    /// The bit of `name` (any case), or 0 when it has none (not among the table's names).
    func bit(of name: [UInt8]) -> UInt64 {
        for k in 0..<count where ASCII.equalsIgnoringCase(Array(self.name(k)), name) { return 1 &<< UInt64(k) }
        return 0
    }

    /// Name `k`.
    @inline(__always)
    func name(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes + Int(starts[k]), count: Int(starts[k + 1] - starts[k]))
    }

    func deallocate() {
        buckets.deallocate()
        starts.deallocate()
        bytes.deallocate()
    }
}
