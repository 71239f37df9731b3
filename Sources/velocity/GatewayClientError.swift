/// An error response from the gateway, `{"error": {"code", "message", "details"}}`, or a
/// response the command line could not use.
struct GatewayClientError: Error, CustomStringConvertible {
    var status: Int?
    var code: String
    var message: String
    var details: [String: String] = [:]

    var description: String { "\(code): \(message)" }
}
