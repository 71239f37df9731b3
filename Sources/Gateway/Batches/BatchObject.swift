public import Broker
import Foundation
public import VelocityTypes

/// A batch as OpenAI's Batch API shows it: every timestamp in unix seconds, null until reached.
public struct BatchObject: Codable, Sendable, Equatable {
    public struct RequestCounts: Codable, Sendable, Equatable {
        public var total: Int
        public var completed: Int
        public var failed: Int
    }

    /// `errors` of a batch that failed validation: `{object: "list", data: [...]}`.
    public struct Errors: Codable, Sendable, Equatable {
        public var object = "list"
        public var data: [BatchLineError]
    }

    public var id: String
    public var object = "batch"
    public var endpoint: String
    public var errors: Errors?
    public var input_file_id: String
    public var completion_window: String
    public var status: String
    public var output_file_id: String?
    public var error_file_id: String?
    public var created_at: Int
    public var in_progress_at: Int?
    public var expires_at: Int?
    public var finalizing_at: Int?
    public var completed_at: Int?
    public var failed_at: Int?
    public var expired_at: Int?
    public var cancelling_at: Int?
    public var cancelled_at: Int?
    public var request_counts: RequestCounts
    public var metadata: JSONValue?
    /// Not OpenAI's: why the batch's lines wait while no GPU box serves them ("waiting: no llm
    /// capacity, box dev-box in media mode"); written only when there is one, so OpenAI's
    /// clients, which ignore unknown fields, see OpenAI's shape.
    public var waiting_reason: String?
    /// Not OpenAI's: an unfinished batch's lines by state now (queued, running, succeeded,
    /// failed, canceled, dead), as the broker's scripts count them; only while it runs.
    public var line_counts: BatchStateCounts?
    /// Not OpenAI's: an in-progress batch's chance of finishing inside its window at the pace
    /// its lines run (`BatchWindow`), and when its lines were promoted out of the backfill band.
    public var window: Window?

    public struct Window: Codable, Sendable, Equatable {
        /// on_track, at_risk or late.
        public var risk: String
        /// Time the open lines need at the current pace ÷ time left; null before any line ended.
        public var ratio: Double?
        public var projected_completion_at: Int?
        public var promoted_at: Int?
        /// The deadline class its open lines run at since (`BatchWindow.promotionPriority`).
        public var promoted_priority: Int?

        public init(
            risk: String, ratio: Double?, projected_completion_at: Int?, promoted_at: Int?, promoted_priority: Int?
        ) {
            self.risk = risk
            self.ratio = ratio
            self.projected_completion_at = projected_completion_at
            self.promoted_at = promoted_at
            self.promoted_priority = promoted_priority
        }

        /// `window` as shown: the ratio to 3 decimals, the projection to the next second.
        init(_ window: BatchWindow, promotedAt: Int?, promotedPriority: Int?) {
            self.init(
                risk: window.risk.rawValue, ratio: window.ratio.map { ($0 * 1000).rounded() / 1000 },
                projected_completion_at: window.projectedCompletionAt.map { Int($0.rounded(.up)) }, promoted_at: promotedAt,
                promoted_priority: promotedPriority)
        }

        /// Every optional as `null`, like the rest of the object.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(risk, forKey: .risk)
            try c.encode(ratio, forKey: .ratio)
            try c.encode(projected_completion_at, forKey: .projected_completion_at)
            try c.encode(promoted_at, forKey: .promoted_at)
            try c.encode(promoted_priority, forKey: .promoted_priority)
        }
    }

    /// Encodes every optional as `null` rather than leaving the key out, as OpenAI does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(endpoint, forKey: .endpoint)
        try c.encode(errors, forKey: .errors)
        try c.encode(input_file_id, forKey: .input_file_id)
        try c.encode(completion_window, forKey: .completion_window)
        try c.encode(status, forKey: .status)
        try c.encode(output_file_id, forKey: .output_file_id)
        try c.encode(error_file_id, forKey: .error_file_id)
        try c.encode(created_at, forKey: .created_at)
        try c.encode(in_progress_at, forKey: .in_progress_at)
        try c.encode(expires_at, forKey: .expires_at)
        try c.encode(finalizing_at, forKey: .finalizing_at)
        try c.encode(completed_at, forKey: .completed_at)
        try c.encode(failed_at, forKey: .failed_at)
        try c.encode(expired_at, forKey: .expired_at)
        try c.encode(cancelling_at, forKey: .cancelling_at)
        try c.encode(cancelled_at, forKey: .cancelled_at)
        try c.encode(request_counts, forKey: .request_counts)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(waiting_reason, forKey: .waiting_reason)
        try c.encodeIfPresent(line_counts, forKey: .line_counts)
        try c.encodeIfPresent(window, forKey: .window)
    }
}

/// One problem in a batch's input file, as OpenAI reports it in `errors.data`.
public struct BatchLineError: Codable, Sendable, Equatable {
    public var code: String
    public var message: String
    public var param: String?
    /// 1-based line of the input file; nil for an error about the whole file.
    public var line: Int?

    public init(code: String, message: String, param: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.param = param
        self.line = line
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(param, forKey: .param)
        try c.encode(line, forKey: .line)
    }
}

/// The statuses of OpenAI's batch life cycle.
public enum BatchStatus: String, Sendable, CaseIterable {
    case validating, failed, in_progress, finalizing, completed, expired, cancelling, cancelled

    /// No further transition happens.
    public var isFinal: Bool {
        switch self {
        case .failed, .completed, .expired, .cancelled: true
        default: false
        }
    }
}

/// A file as OpenAI's Files API shows it.
public struct FileObject: Codable, Sendable, Equatable {
    public var id: String
    public var object = "file"
    public var bytes: Int
    public var created_at: Int
    public var filename: String
    public var purpose: String
    /// Deprecated by OpenAI but still sent; our files are usable once stored.
    public var status = "processed"
}

/// OpenAI's list envelope, with cursor paging by id.
struct OpenAIList<Item: Encodable & Sendable>: Encodable, Sendable {
    var object = "list"
    var data: [Item]
    var first_id: String?
    var last_id: String?
    var has_more: Bool

    init(data: [Item], hasMore: Bool, id: (Item) -> String) {
        self.data = data
        self.first_id = data.first.map(id)
        self.last_id = data.last.map(id)
        self.has_more = hasMore
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(object, forKey: .object)
        try c.encode(data, forKey: .data)
        try c.encode(first_id, forKey: .first_id)
        try c.encode(last_id, forKey: .last_id)
        try c.encode(has_more, forKey: .has_more)
    }

    enum CodingKeys: String, CodingKey { case object, data, first_id, last_id, has_more }
}
