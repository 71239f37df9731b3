extension Duration {
    /// Whole milliseconds, truncated: what Redis, Postgres and the JSON the product writes count in.
    public var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

extension Duration {
    /// Seconds with their fraction: what rates and human-facing figures count in.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
