/// Which Redis Cluster node serves which hash slot, and the rules that route a key there: pure
/// logic, no I/O, so it is tested on its own.
///
/// Built from a `CLUSTER SLOTS` reply; kept current by `MOVED` redirections (one slot at a
/// time) and by a new `CLUSTER SLOTS` read when a node is gone.
public struct RedisClusterTopology: Sendable, Equatable {
    /// The hash slots of a cluster.
    public static let slotCount = 16_384

    /// Where a node listens.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { "\(host):\(port)" }
    }

    /// The master serving each slot; nil for a slot no node serves.
    public private(set) var owners: [Endpoint?]

    public init(owners: [Endpoint?] = Array(repeating: nil, count: slotCount)) {
        precondition(owners.count == Self.slotCount, "a topology has \(Self.slotCount) slots")
        self.owners = owners
    }

    /// The masters, each once, in slot order.
    public var masters: [Endpoint] {
        var seen = Set<Endpoint>()
        return owners.compactMap { $0 }.filter { seen.insert($0).inserted }
    }

    /// True when every slot has a master.
    public var isComplete: Bool { !owners.contains(nil) }

    public func owner(ofSlot slot: Int) -> Endpoint? { owners[slot] }

    public func owner(of key: String) -> Endpoint? { owners[Self.slot(of: key)] }

    /// A `MOVED` answer: the slot now lives on `endpoint`.
    public mutating func move(slot: Int, to endpoint: Endpoint) {
        owners[slot] = endpoint
    }
}

extension RedisClusterTopology {
    /// The topology a `CLUSTER SLOTS` reply describes: `[[start, end, [host, port, id…], replica…], …]`.
    /// A master whose host is empty or `?` is reached at `fallbackHost` (the node that answered:
    /// Redis leaves the host out when it is the address the client already used).
    public init(slotsReply reply: RESPValue, fallbackHost: String) throws {
        guard case .array(let ranges) = reply else {
            throw RedisError(.redisProtocol, "CLUSTER SLOTS answered \(reply), not an array")
        }
        var owners = [Endpoint?](repeating: nil, count: Self.slotCount)
        for range in ranges {
            guard case .array(let fields) = range, fields.count >= 3, let start = fields[0].int, let end = fields[1].int,
                (0..<Self.slotCount).contains(start), (start..<Self.slotCount).contains(end),
                case .array(let master) = fields[2], master.count >= 2, let port = master[1].int,
                (1...65_535).contains(port)
            else {
                throw RedisError(.redisProtocol, "CLUSTER SLOTS has a range of another shape: \(range)")
            }
            var host = master[0].string ?? ""
            if host.isEmpty || host == "?" { host = fallbackHost }
            let endpoint = Endpoint(host: host, port: port)
            for slot in start...end { owners[slot] = endpoint }
        }
        self.init(owners: owners)
    }

    /// The hash slot of `key`: CRC16 (XMODEM) of its hash tag — what lies between the first `{`
    /// and the next `}` when that is not empty — else of the whole key, modulo 16,384.
    public static func slot(of key: String) -> Int {
        var bytes = Array(key.utf8)[...]
        if let open = bytes.firstIndex(of: UInt8(ascii: "{")),
            let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        {
            bytes = bytes[(open + 1)..<close]
        }
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return Int(crc) % slotCount
    }
}

/// What an error reply asks of a cluster client.
public enum RedisClusterRedirection: Sendable, Equatable {
    /// `MOVED slot host:port`: the slot lives there now; send it there from now on.
    case moved(slot: Int, to: RedisClusterTopology.Endpoint)
    /// `ASK slot host:port`: this one command goes there, after `ASKING` (a slot in migration).
    case ask(slot: Int, to: RedisClusterTopology.Endpoint)
    /// `TRYAGAIN` (a multi-key command mid-migration) or `CLUSTERDOWN`: wait a little, retry.
    case retryLater

    /// The redirection an error reply's text carries, nil for any other error. A script's
    /// error is matched too: Redis answers `EVALSHA` on the wrong node with `MOVED` before
    /// running anything.
    public init?(errorMessage message: String) {
        let words = message.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = words.first else { return nil }
        switch first {
        case "MOVED", "ASK":
            guard words.count >= 3, let slot = Int(words[1]), (0..<RedisClusterTopology.slotCount).contains(slot),
                let colon = words[2].lastIndex(of: ":"), let port = Int(words[2][words[2].index(after: colon)...]),
                (1...65_535).contains(port)
            else { return nil }
            let endpoint = RedisClusterTopology.Endpoint(host: String(words[2][..<colon]), port: port)
            self = first == "MOVED" ? .moved(slot: slot, to: endpoint) : .ask(slot: slot, to: endpoint)
        case "TRYAGAIN", "CLUSTERDOWN":
            self = .retryLater
        default:
            return nil
        }
    }
}
