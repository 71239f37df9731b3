/// Groups the rows of an import that are one person: rows sharing a phone or an email, taken
/// transitively (row 1 and row 9 share a phone, row 9 and row 40 an email: one person).
///
/// Built in two phases so a batch of a million rows fits in a few tens of megabytes: `add`
/// records each row's identity keys as 64-bit hashes; `finish` drops keys that too many rows
/// share (an office switchboard, `info@` of a brokerage: they identify nobody) and joins the
/// rest with union-find. A cluster is named by its first row, so the grouping is the same on
/// every run over the same rows.
public struct RowClusterer: Sendable {
    /// A key shared by more rows than this joins none of them.
    public let maxRowsPerKey: Int
    private var rows: [Int32] = []
    private var keys: [UInt64] = []

    public init(expectedRows: Int = 0, maxRowsPerKey: Int = 20) {
        self.maxRowsPerKey = maxRowsPerKey
        rows.reserveCapacity(expectedRows * 2)
        keys.reserveCapacity(expectedRows * 2)
    }

    /// Records the identity keys of `row` (1-based): its normalized phones and emails, each
    /// with a kind prefix so a phone never equals an email.
    public mutating func add(row: Int, keys identity: some Sequence<String>) {
        for key in identity {
            rows.append(Int32(row))
            keys.append(Self.hash(key))
        }
    }

    /// The clusters of rows `1...rowCount`.
    public func finish(rowCount: Int) -> RowClusters {
        var parent = [Int32](unsafeUninitializedCapacity: rowCount + 1) { buffer, count in
            for index in 0...rowCount { buffer[index] = Int32(index) }
            count = rowCount + 1
        }
        // Sort (key, row) pairs by key so each key's rows sit together.
        var order = Array(keys.indices)
        order.sort { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : rows[$0] < rows[$1] }
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && keys[order[end]] == keys[order[start]] { end += 1 }
            if end - start > 1 && end - start <= maxRowsPerKey {
                let first = Int(rows[order[start]])
                for index in (start + 1)..<end where Int(rows[order[index]]) <= rowCount {
                    Self.union(first, Int(rows[order[index]]), &parent)
                }
            }
            start = end
        }
        var root = [Int32](repeating: 0, count: rowCount + 1)
        var last = [Int32](repeating: 0, count: rowCount + 1)
        if rowCount > 0 {
            for row in 1...rowCount {
                let top = Self.find(row, &parent)
                root[row] = Int32(top)
                last[top] = Int32(row)
            }
        }
        return RowClusters(root: root, last: last)
    }

    private static func find(_ row: Int, _ parent: inout [Int32]) -> Int {
        var top = row
        while Int(parent[top]) != top { top = Int(parent[top]) }
        var current = row
        while Int(parent[current]) != top {
            let next = Int(parent[current])
            parent[current] = Int32(top)
            current = next
        }
        return top
    }

    /// Joins two clusters under the smaller first row.
    private static func union(_ a: Int, _ b: Int, _ parent: inout [Int32]) {
        let rootA = find(a, &parent)
        let rootB = find(b, &parent)
        if rootA == rootB { return }
        if rootA < rootB { parent[rootB] = Int32(rootA) } else { parent[rootA] = Int32(rootB) }
    }

    /// FNV-1a over the UTF-8 bytes, then a 64-bit finalizer: stable across runs and processes
    /// (Swift's `Hasher` is seeded per process). With a million rows the chance that two
    /// different keys collide is about one in ten million.
    static func hash(_ key: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
        value ^= value >> 33
        value &*= 0xff51_afd7_ed55_8ccd
        value ^= value >> 33
        value &*= 0xc4ce_b9fe_1a85_ec53
        value ^= value >> 33
        return value
    }
}

/// The outcome of `RowClusterer`: for each row, the first row of its cluster, and for each
/// cluster, its last row (where a streaming pass has seen all of it).
public struct RowClusters: Sendable {
    let root: [Int32]
    let last: [Int32]

    /// The first row of `row`'s cluster.
    public func cluster(of row: Int) -> Int { Int(root[row]) }

    /// The last row of the cluster whose first row is `cluster`.
    public func lastRow(ofCluster cluster: Int) -> Int { Int(last[cluster]) }

    /// Whether `row` is a cluster of its own.
    public func isSingleton(_ row: Int) -> Bool { Int(root[row]) == row && Int(last[row]) == row }

    public var rowCount: Int { root.count - 1 }
}
