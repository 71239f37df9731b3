import VelocityTypes
import Crypto
import Foundation

/// Checks a batch's JSONL input file line by line and reports problems the way OpenAI's Batch
/// API does: codes like `invalid_json_line`, `duplicate_custom_id`, `url_mismatch`, each with
/// the parameter at fault and the 1-based line.
struct BatchInputValidator: Sendable {
    /// One request of a valid input file.
    struct Request: Sendable, Equatable {
        var line: Int
        var customID: String
        var method: String
        var url: String
        var body: JSONValue
    }

    /// OpenAI's limit of requests per batch.
    var maxRequests = 50_000
    /// Reported problems stop here; a file this broken needs fixing wholesale.
    var maxErrors = 1_000
    /// A request must fit in one job's payload.
    var maxRequestBytes = 512 * 1024 - 1_024

    /// The requests of a file, or every problem found in it.
    func validate(_ bytes: [UInt8], endpoint: String) -> Result<[Request], Failure> {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else {
            return .failure(Failure(errors: [BatchLineError(code: "empty_file", message: "The input file is empty.")]))
        }
        guard lines.count <= maxRequests else {
            return .failure(
                Failure(errors: [
                    BatchLineError(
                        code: "too_many_tasks",
                        message: "The input file has \(lines.count) requests; a batch may have at most \(maxRequests).")
                ]))
        }
        var requests: [Request] = []
        requests.reserveCapacity(lines.count)
        var errors: [BatchLineError] = []
        var firstLine: [String: Int] = [:]
        var model: (name: String, line: Int)?
        for (index, raw) in lines.enumerated() where errors.count < maxErrors {
            let number = index + 1
            func report(_ code: String, _ message: String, _ param: String?) {
                errors.append(BatchLineError(code: code, message: message, param: param, line: number))
            }
            var text = raw[...]
            if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text)),
                case .object(let object) = value
            else {
                report("invalid_json_line", "This line is not parseable as valid JSON.", nil)
                continue
            }
            guard let customIDValue = object["custom_id"] else {
                report("missing_required_parameter", "Missing required parameter: 'custom_id'.", "custom_id")
                continue
            }
            guard case .string(let customID) = customIDValue, !customID.isEmpty else {
                report("invalid_type", "'custom_id' must be a non-empty string.", "custom_id")
                continue
            }
            if let first = firstLine[customID] {
                report(
                    "duplicate_custom_id",
                    "The custom_id '\(customID)' is used more than once (first on line \(first)); each request needs a unique custom_id.",
                    "custom_id")
                continue
            }
            firstLine[customID] = number
            guard let method = object["method"]?.stringValue else {
                report("missing_required_parameter", "Missing required parameter: 'method'.", "method")
                continue
            }
            guard method == "POST" else {
                report("invalid_value", "Invalid value for 'method': '\(method)'. Only POST is supported.", "method")
                continue
            }
            guard let url = object["url"]?.stringValue else {
                report("missing_required_parameter", "Missing required parameter: 'url'.", "url")
                continue
            }
            guard url == endpoint else {
                report(
                    "url_mismatch",
                    "The url '\(url)' does not match the batch's endpoint '\(endpoint)'; every request must use the batch's endpoint.",
                    "url")
                continue
            }
            guard let body = object["body"] else {
                report("missing_required_parameter", "Missing required parameter: 'body'.", "body")
                continue
            }
            guard case .object(let fields) = body else {
                report("invalid_type", "'body' must be a JSON object.", "body")
                continue
            }
            guard text.count <= maxRequestBytes else {
                report(
                    "request_too_large", "This request is \(text.count) bytes; the limit is \(maxRequestBytes).",
                    "body")
                continue
            }
            if case .string(let name) = fields["model"] {
                if let model, model.name != name {
                    report(
                        "model_mismatch",
                        "The model '\(name)' differs from '\(model.name)' on line \(model.line); a batch uses one model.",
                        "body.model")
                    continue
                }
                if model == nil { model = (name, number) }
            }
            requests.append(Request(line: number, customID: customID, method: method, url: url, body: body))
        }
        return errors.isEmpty ? .success(requests) : .failure(Failure(errors: errors))
    }

    struct Failure: Error, Sendable {
        var errors: [BatchLineError]
    }

    /// The idempotency key of a batch's child: the same on every run, so a coordinator that
    /// crashed half-way through creating children creates none twice when it runs again.
    static func idempotencyKey(batchID: String, customID: String) -> String {
        let key = "batch:\(batchID):\(customID)"
        guard key.utf8.count > 256 else { return key }
        let digest = Hex.lowercase(SHA256.hash(data: Data(customID.utf8)))
        return "batch:\(batchID):sha256:\(digest)"
    }
}
