/// A queue's fair-share weights, concurrency caps and rate limits, as the claim script enforces
/// them (`BrokerScript.fairness`).
///
/// Subjects name what a cap or rate counts: `queue` (the whole queue), `tenant:<t>` (one tenant
/// in this queue), `kind:<k>` (one job kind) and `key:<k>` (the `concurrency_key` jobs carry).
/// A subject's last segment may be `*`: `tenant:*` gives every tenant its own cap of that size,
/// `key:lead:*` every `lead:…` key; the most specific rule applies.
public struct QueueLimits: Sendable, Equatable, Codable {
    /// Tenant → its weight in its priority band's rotation (default 1; `*` sets the default).
    public var weights: [String: Double]
    /// Subject → most jobs running at once.
    public var caps: [String: Int]
    /// Subject → most jobs started in any window of the rate's interval.
    public var rates: [String: RateLimit]
    /// False: no rotation between tenants, jobs run by priority and age alone (tenant caps and
    /// rates still hold, job by job). On by default.
    public var fair: Bool

    /// At most `count` starts in any `intervalMilliseconds`, measured by Redis' clock.
    public struct RateLimit: Sendable, Equatable, Codable {
        public var count: Int
        public var intervalMilliseconds: Int

        public init(count: Int, intervalMilliseconds: Int) {
            self.count = count
            self.intervalMilliseconds = intervalMilliseconds
        }

        enum CodingKeys: String, CodingKey {
            case count
            case intervalMilliseconds = "interval_ms"
        }
    }

    public init(
        weights: [String: Double] = [:], caps: [String: Int] = [:], rates: [String: RateLimit] = [:], fair: Bool = true
    ) {
        self.weights = weights
        self.caps = caps
        self.rates = rates
        self.fair = fair
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        weights = try container.decodeIfPresent([String: Double].self, forKey: .weights) ?? [:]
        caps = try container.decodeIfPresent([String: Int].self, forKey: .caps) ?? [:]
        rates = try container.decodeIfPresent([String: RateLimit].self, forKey: .rates) ?? [:]
        fair = try container.decodeIfPresent(Bool.self, forKey: .fair) ?? true
    }

    public var isEmpty: Bool { weights.isEmpty && caps.isEmpty && rates.isEmpty && fair }

    /// Refuses a rule the scripts could not apply, naming it; nothing is stored.
    public func validate() throws {
        func refuse(_ field: String, _ message: String) -> BrokerError {
            BrokerError(.invalidLimits, "\(field): \(message)", field: field)
        }
        for (tenant, weight) in weights {
            guard tenant == "*" || Self.isTenant(tenant) else {
                throw refuse("weights.\(tenant)", "must name a tenant (1-128 bytes without ':') or '*'")
            }
            guard weight.isFinite, weight >= 0.01, weight <= 1_000 else {
                throw refuse("weights.\(tenant)", "must be a number in 0.01...1000")
            }
        }
        for (subject, cap) in caps {
            guard Self.isSubject(subject) else { throw refuse("caps.\(subject)", Self.subjectRule) }
            guard (0...1_000_000).contains(cap) else { throw refuse("caps.\(subject)", "must be in 0...1000000") }
        }
        for (subject, rate) in rates {
            guard Self.isSubject(subject) else { throw refuse("rates.\(subject)", Self.subjectRule) }
            guard (1...100_000).contains(rate.count) else {
                throw refuse("rates.\(subject).count", "must be in 1...100000")
            }
            guard (1...86_400_000).contains(rate.intervalMilliseconds) else {
                throw refuse("rates.\(subject).interval_ms", "must be in 1...86400000")
            }
        }
    }

    static let subjectRule =
        "must be 'queue', 'tenant:<tenant>', 'kind:<kind>' or 'key:<concurrency key>' (a last segment of '*' covers each)"

    /// Whether `subject` is one the scripts count.
    public static func isSubject(_ subject: String) -> Bool {
        if subject == "queue" { return true }
        // By scalars, not Characters: a ':' followed by a combining mark or an emoji modifier
        // is one Character, which `firstIndex(of: ":")` would not find.
        guard subject.utf8.count <= 200, let colon = subject.unicodeScalars.firstIndex(of: ":") else { return false }
        let rest = subject.unicodeScalars[subject.unicodeScalars.index(after: colon)...]
        guard !rest.isEmpty, !rest.contains(where: { $0.properties.generalCategory == .control }) else {
            return false
        }
        switch String(subject.unicodeScalars[..<colon]) {
        case "tenant": return String(rest) == "*" || !rest.contains(":")
        case "kind", "key": return true
        default: return false
        }
    }

    static func isTenant(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128 && !text.unicodeScalars.contains(":")
    }
}
