import Broker
import Hummingbird

/// The paging parameters of a list route: `limit` within the route's bounds and a `cursor`
/// that is an id (the last one of the previous page); a bad one is a 422 naming it.
struct PageQuery {
    var limit: Int
    var cursor: String?

    /// - Parameter cursorIs: what the cursor must be, for the refusal ("a job id").
    init(_ request: Request, defaultLimit: Int, maxLimit: Int, cursorIs: String) throws {
        limit = try Self.limit(request, default: defaultLimit, max: maxLimit)
        cursor = request.uri.queryParameters["cursor"].map(String.init)
        if let cursor, !JobID.isValid(cursor) { throw GatewayError.invalid(field: "cursor", "is not \(cursorIs)") }
    }

    /// `limit` alone, 1 to `max`, `value` when absent.
    static func limit(_ request: Request, default value: Int, max: Int) throws -> Int {
        guard let raw = request.uri.queryParameters["limit"] else { return value }
        guard let limit = Int(raw), (1...max).contains(limit) else {
            throw GatewayError.invalid(field: "limit", "must be an integer from 1 to \(max)")
        }
        return limit
    }
}
