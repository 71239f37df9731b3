public import Broker

/// A workflow or its manifest that cannot be used, naming the bad entry.
public struct WorkflowError: VelocityError {
    public var code: VelocityErrorCode
    /// Where the problem is, e.g. `parameters.seed` or `models[0]`.
    public var entry: String
    public var message: String

    public init(_ code: VelocityErrorCode = .workflowInvalid, entry: String, _ message: String) {
        self.code = code
        self.entry = entry
        self.message = message
    }

    public var description: String { "\(code): \(entry): \(message)" }
}

extension VelocityErrorCode {
    /// The workflow or its manifest is malformed or inconsistent.
    public static let workflowInvalid: Self = "workflow_invalid"
    /// The workflow or manifest file could not be read.
    public static let workflowUnreadable: Self = "workflow_unreadable"
}
