/// One slip in a model's JSON answer that recovery repaired, and where.
public struct JSONRepair: Sendable, Equatable, CustomStringConvertible {
    /// What was repaired.
    public enum Kind: String, Sendable, CaseIterable {
        /// A Markdown code fence (```json … ```) around the JSON.
        case codeFence
        /// Prose, or anything that is not the value, before or after it.
        case surroundingText
        /// A comma before `}` or `]`.
        case trailingComma
        /// A string or key in single quotes.
        case singleQuotes
        /// A key without quotes.
        case unquotedKey
        /// A `//` or `/* */` comment.
        case comment
        /// `NaN`, `Infinity`, `-Infinity`, or a number beyond `Double`'s range: read as `null`.
        case nonFiniteNumber
        /// Python's `True`, `False` or `None`.
        case pythonLiteral
        /// A raw control character (a newline, a tab) inside a string.
        case controlCharacter
        /// The text ends inside the value: open containers closed, an incomplete member dropped.
        case truncated
        /// More top-level values after the first.
        case additionalValues

        /// A few words for descriptions.
        public var label: String {
            switch self {
            case .codeFence: "code fence"
            case .surroundingText: "surrounding text"
            case .trailingComma: "trailing comma"
            case .singleQuotes: "single quotes"
            case .unquotedKey: "unquoted key"
            case .comment: "comment"
            case .nonFiniteNumber: "non-finite number"
            case .pythonLiteral: "Python literal"
            case .controlCharacter: "control character"
            case .truncated: "truncated"
            case .additionalValues: "additional values"
            }
        }

        /// Whether the repair concerns the answer as a whole rather than a place in the value.
        var isDocumentLevel: Bool {
            switch self {
            case .codeFence, .surroundingText, .truncated, .additionalValues: true
            default: false
            }
        }
    }

    public var kind: Kind
    /// The JSON pointer (RFC 6901) of the place in the value: the member or element repaired,
    /// the container of a trailing comma or comment; "" for the root and for the answer as a whole.
    /// Repairs inside an additional value say which one in `detail`.
    public var path: String
    /// What exactly, in a few words (the literal read, the key, what was dropped).
    public var detail: String

    public init(kind: Kind, path: String = "", detail: String = "") {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    /// For example `trailing comma at /items` or
    /// `truncated: dropped incomplete /reasoning, closed 2 containers`.
    public var description: String {
        if kind.isDocumentLevel { return detail.isEmpty ? kind.label : "\(kind.label): \(detail)" }
        let place = path.isEmpty ? "the root" : path
        return detail.isEmpty ? "\(kind.label) at \(place)" : "\(kind.label) at \(place) (\(detail))"
    }
}
