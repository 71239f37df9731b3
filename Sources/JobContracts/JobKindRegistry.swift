public import VelocityTypes

/// The kinds a producer accepts, each with its contract's payload check; anything else is
/// refused before anything is stored.
public struct JobKindRegistry: Sendable {
    private struct Entry: Sendable {
        var kind: JobKind
        /// Decodes and validates a payload with the kind's contract, returning its affinity;
        /// nil for a kind without one.
        var check: (@Sendable (JSONValue) throws(PayloadError) -> String?)?
    }

    private var entries: [String: Entry] = [:]

    /// Kinds without contracts: their payloads only need to be JSON objects.
    public init(_ kinds: [JobKind]) {
        for kind in kinds { register(kind) }
    }

    /// Kinds with contracts, and kinds without.
    public init(contracts: [any JobContract.Type], kinds: [JobKind] = []) {
        for contract in contracts { register(contract) }
        for kind in kinds { register(kind) }
    }

    /// The platform's kinds.
    public static let standard = JobKindRegistry(
        contracts: [
            DreamWeaverRender.self, LLMChat.self, LLMBatchLine.self, QDScore.self, OracleSyntheticTemplate.self,
            CRMImportJob.self,
        ], kinds: [.cpuTask])

    public func kind(named name: String) -> JobKind? { entries[name]?.kind }

    public var names: [String] { entries.keys.sorted() }

    /// The queues these kinds run on, sorted.
    public var queues: [String] { Set(entries.values.map(\.kind.queue)).sorted() }

    /// Adds (or replaces) a kind without a contract.
    public mutating func register(_ kind: JobKind) {
        entries[kind.name] = Entry(kind: kind, check: nil)
    }

    /// Adds (or replaces) a kind with its contract.
    public mutating func register<Contract: JobContract>(_ contract: Contract.Type) {
        entries[Contract.kind.name] = Entry(kind: Contract.kind) { value throws(PayloadError) in
            Contract.affinity(of: try Contract.payload(from: value))
        }
    }

    /// Checks a payload for `kind` (which must be registered): with its contract when it has
    /// one; every payload must be a JSON object. Returns the job's affinity, if its contract
    /// gives one.
    @discardableResult
    public func checkPayload(_ payload: JSONValue, kind: String) throws(PayloadError) -> String? {
        guard payload.isObject else { throw PayloadError(kind: kind, field: nil, "must be a JSON object") }
        return try entries[kind]?.check?(payload) ?? nil
    }

    /// Checks a payload given as JSON text: decoded with the kind's contract when it has one
    /// (the one parse); for a kind without, a syntax check that it is one JSON object, which
    /// builds nothing.
    @discardableResult
    public func checkPayload(text: String, kind: String) throws(PayloadError) -> String? {
        if entries[kind]?.check != nil {
            guard let value = JSONValue(parsing: text) else {
                throw PayloadError(kind: kind, field: nil, "must be a JSON object")
            }
            return try checkPayload(value, kind: kind)
        } else if !JSONSyntax.isObject(text) {
            throw PayloadError(kind: kind, field: nil, "must be a JSON object")
        }
        return nil
    }
}
