/// The fields of one claimed job in a claim reply, declared once for Swift and Lua: in reply
/// order, each named as the job hash names it.
///
/// The prelude's `claim` writes them through constants generated from this list
/// (`BrokerScript.layout`); `RedisBroker.parseClaimReply` reads them by the same cases.
enum ClaimField: String, CaseIterable {
    case id
    case attemptID = "attempt_id"
    /// The attempt this claim starts, 1 for the first.
    case attempts
    case maxAttempts = "max_attempts"
    case kind, tenant, payload
    /// '' for none.
    case checkpoint
    case leaseDeadlineMilliseconds = "lease_deadline_ms"
    case leaseMilliseconds = "lease_ms"
    case createdMilliseconds = "created_ms"
    case priority
    case claimedMilliseconds = "claimed_ms"
    /// The submitter's W3C `traceparent`, '' for none.
    case traceParent = "trace"

    /// `allCases` made once: claims read it for every field of every job.
    static let ordered = allCases

    /// 0-based offset of the field in a job's part of the reply.
    var offset: Int { Self.ordered.firstIndex(of: self)! }

    /// The Lua constant holding the 1-based offset.
    var luaConstant: String { "C_" + rawValue.uppercased() }
}
