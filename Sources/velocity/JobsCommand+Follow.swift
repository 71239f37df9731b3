import CurlClient
import Foundation

extension GatewayClient {
    /// Follows `GET /v1/jobs/{id}/events` until the job ends; returns its last status.
    ///
    /// Each event's data is the job's status JSON. With `lines`, every event is printed as a
    /// line on stdout (for logs, when there is no progress bar). A stream that breaks before a
    /// terminal state is picked up again after a status read.
    func follow(jobID: String, bar: ProgressBar, lines: Bool) async throws -> JobStatusView {
        var attempts = 0
        var reason: String?
        while true {
            let stream = try await events("/v1/jobs/\(Self.escape(jobID))/events")
            do {
                for try await event in stream.events {
                    guard let view = try? JSONDecoder().decode(JobStatusView.self, from: Data(event.data.utf8)) else {
                        continue
                    }
                    if bar.isEnabled { view.show(on: bar) }
                    if lines { print(Self.eventLine(event: event.event, view: view)) }
                    if view.isTerminal { return view }
                    reason = WaitingReason.report(view.waiting_reason, subject: "job \(jobID)", after: reason)
                }
            } catch let error as CurlClientError where error.code == .network {
                // The connection dropped mid-stream: the status read below decides what next.
            }
            let current = try GatewayClient.decode(JobStatusView.self, try await get("/v1/jobs/\(Self.escape(jobID))"))
            if current.isTerminal {
                if bar.isEnabled { current.show(on: bar) }
                if lines { print(Self.eventLine(event: current.status, view: current)) }
                return current
            }
            attempts += 1
            if attempts > 5 {
                throw GatewayClientError(code: "stream_ended", message: "the event stream of \(jobID) keeps ending early")
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    static func eventLine(event: String, view: JobStatusView) -> String {
        let stamp = ISO8601DateFormatter().string(from: Date())
        let name = event == view.status ? "" : " (\(event))"
        return "\(stamp) \(view.summaryLine)\(name)"
    }

    /// A path segment with anything but unreserved characters percent-encoded.
    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathSegmentAllowed) ?? segment
    }

    /// `GET /v1/jobs/{id}/result`, printed: the JSON itself with `--json`, else pretty result
    /// on stdout and any error on stderr. True when the job succeeded.
    func printResult(jobID: String, json: Bool) async throws -> Bool {
        let response = try await get("/v1/jobs/\(Self.escape(jobID))/result")
        let result = try GatewayClient.decode(JobResultView.self, response)
        if json {
            Terminal.printJSON(response.body)
        } else if result.status == "succeeded" {
            if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                let value = object["result"], !(value is NSNull),
                let data = try? JSONSerialization.data(
                    withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
            {
                print(String(decoding: data, as: UTF8.self))
            }
        } else {
            Terminal.note("job \(jobID) \(result.status)")
            if let error = result.error { Terminal.error("\(error.code): \(error.message ?? "")") }
        }
        return result.status == "succeeded"
    }
}

extension CharacterSet {
    static let urlPathSegmentAllowed: CharacterSet =
        // ASCII only: `alphanumerics` would let other scripts' letters through unencoded.
        CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static let urlQueryValueAllowed = urlPathSegmentAllowed
}
