extension QueueLimits {
    /// The fields of the queue's `limits` hash: `weight:tenant:<t>`, `cap:<subject>`,
    /// `rate:<subject>` ('count interval_ms'), `fair` ('off' only), sorted so the same limits
    /// write the same hash.
    var fields: [String] {
        var pairs: [(String, String)] = fair ? [] : [("fair", "off")]
        for (tenant, weight) in weights { pairs.append(("weight:tenant:\(tenant)", Self.number(weight))) }
        for (subject, cap) in caps { pairs.append(("cap:\(subject)", String(cap))) }
        for (subject, rate) in rates { pairs.append(("rate:\(subject)", "\(rate.count) \(rate.intervalMilliseconds)")) }
        return pairs.sorted { $0.0 < $1.0 }.flatMap { [$0.0, $0.1] }
    }

    /// The limits a `limits` hash holds; a field of another shape is a malformed reply.
    init(fields: [String: String]) throws {
        self.init()
        for (field, value) in fields {
            func malformed() -> BrokerError {
                BrokerError(.malformedReply, "queue limits field \(field) holds '\(value)'", field: field)
            }
            if field.hasPrefix("weight:tenant:") {
                guard let weight = Double(value) else { throw malformed() }
                weights[String(field.dropFirst("weight:tenant:".count))] = weight
            } else if field.hasPrefix("cap:") {
                guard let cap = Int(value) else { throw malformed() }
                caps[String(field.dropFirst(4))] = cap
            } else if field == "fair" {
                guard value == "off" else { throw malformed() }
                fair = false
            } else if field.hasPrefix("rate:") {
                let parts = value.split(separator: " ")
                guard parts.count == 2, let count = Int(parts[0]), let interval = Int(parts[1]) else { throw malformed() }
                rates[String(field.dropFirst(5))] = RateLimit(count: count, intervalMilliseconds: interval)
            } else {
                throw malformed()
            }
        }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension QueueLimits {
    /// The cap that applies to `subject`: its own, else the nearest `…:*` rule above it, as the
    /// scripts resolve it.
    public func cap(for subject: String) -> Int? {
        if let cap = caps[subject] { return cap }
        var scope = Substring(subject)
        while let colon = scope.lastIndex(of: ":") {
            scope = scope[..<colon]
            if let cap = caps[scope + ":*"] { return cap }
        }
        return nil
    }
}
