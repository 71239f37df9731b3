import ArgumentParser
import CurlClient
import Foundation

/// How the command line reaches the gateway; flags win over `VELOCITY_GATEWAY_URL` and
/// `VELOCITY_API_KEY`.
struct GatewayClientOptions: ParsableArguments {
    @Option(help: "Gateway base URL (default: $VELOCITY_GATEWAY_URL, else http://127.0.0.1:8080).")
    var gatewayURL: String?

    @Option(help: "API key or JWT sent as a bearer token (default: $VELOCITY_API_KEY).")
    var apiKey: String?

    @Flag(help: "Machine-readable output: the server's JSON only, no progress bar.")
    var json = false

    var resolvedGatewayURL: String {
        var url = gatewayURL ?? ProcessInfo.processInfo.environment["VELOCITY_GATEWAY_URL"] ?? "http://127.0.0.1:8080"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    var resolvedAPIKey: String? {
        apiKey ?? ProcessInfo.processInfo.environment["VELOCITY_API_KEY"]
    }

    /// Runs `body` with a gateway client; a failure is printed as `error: <code>: <message>` on
    /// stderr and the command exits 1.
    func run(_ body: (GatewayClient) async throws -> Void) async throws {
        var configuration = CurlHTTPClient.Configuration()
        configuration.maxConcurrentTransfers = 2
        configuration.maxResponseBytes = 1 << 30
        do {
            try await CurlHTTPClient.withClient(configuration: configuration) { http in
                try await body(GatewayClient(http: http, baseURL: resolvedGatewayURL, apiKey: resolvedAPIKey))
            }
        } catch let error as GatewayClientError {
            Terminal.error("\(error.code): \(error.message)")
            for (key, value) in error.details.sorted(by: { $0.key < $1.key }) { Terminal.error("  \(key): \(value)") }
            throw ExitCode.failure
        } catch let error as CurlClientError {
            Terminal.error("\(error.code): \(error.message)")
            throw ExitCode.failure
        }
    }
}

/// Output helpers: data on stdout, diagnostics on stderr.
enum Terminal {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data("error: \(text)\n".utf8))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }

    /// JSON bytes as they came, one document per line.
    static func printJSON(_ bytes: [UInt8]) {
        var text = String(decoding: bytes, as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        print(text)
    }

    /// Pretty-printed JSON for people; the bytes as they are if they don't parse.
    static func pretty(_ bytes: [UInt8]) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]),
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: data, as: UTF8.self)
    }
}
