import VelocityTypes

extension BackoffPolicy {
    /// `base,max`, as stored with the job in Redis.
    var encoded: String { "\(baseMilliseconds),\(maxMilliseconds)" }

    init?(encoded: String) {
        let parts = encoded.split(separator: ",").compactMap { Int($0) }
        guard parts.count == 2 else { return nil }
        self.init(baseMilliseconds: parts[0], maxMilliseconds: parts[1])
    }
}
