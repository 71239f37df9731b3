import Crypto
public import CurlClient
public import Foundation
public import S3
import VelocityTypes

/// moto's S3-compatible server on a free loopback port, with request authentication on: after
/// the first `unauthenticatedActions` requests (used to create an IAM user, its key and policy,
/// a bucket and an object), every request must carry a valid SigV4 signature of a known key.
///
/// The `moto_server` binary comes from `VELOCITY_TEST_MOTO`, else the test venv
/// `.run/test-venv/bin/moto_server` that `ops/test-venv.sh` creates (ops/test.sh runs it).
/// Missing, the tests fail with that instruction: they never skip.
public final class MotoServer: @unchecked Sendable {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "moto_server not found at \(path): run ops/test-venv.sh (ops/test.sh does) or set VELOCITY_TEST_MOTO to a moto_server binary"
        }
    }

    public let port: Int
    let process: Process
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    public var processID: Int32 { process.processIdentifier }

    static func executable() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let path =
            environment["VELOCITY_TEST_MOTO"].flatMap { $0.isEmpty ? nil : $0 }
            ?? RepositoryPaths.root + "/.run/test-venv/bin/moto_server"
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing(path: path) }
        return path
    }

    public init(unauthenticatedActions: Int) async throws {
        port = try FreePort.find()
        process = Process()
        // Through a shell that watches this test process: if it dies without stopping the
        // server (a crash), the server goes within a second instead of outliving the run.
        // The server gets SIGKILL, and so does any child it made: it inherits this process's
        // signal mask, in which SIGTERM may be blocked (signal handling of the services some
        // tests run), so a SIGTERM could stay pending for ever.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c",
            #"""
            "$0" -H 127.0.0.1 -p "$1" & child=$!
            stop() { pkill -KILL -P $child 2>/dev/null; kill -KILL $child 2>/dev/null; }
            trap 'stop; exit 0' TERM INT
            while kill -0 "$2" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done
            stop
            """#,
            try Self.executable(), String(port), String(getpid()),
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = String(unauthenticatedActions)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let url = "http://127.0.0.1:\(port)/moto-api/"
        try await CurlHTTPClient.withClient { client in
            try await eventually("moto_server accepts connections", limit: .seconds(60)) {
                (try? await client.execute(HTTPClientRequest(url: url))) != nil
            }
        }
    }

    /// SIGTERM, then SIGKILL if it lingers; polls rather than `waitUntilExit`, which can spin
    /// forever off the main thread on Linux.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }

    /// A signed request to moto (IAM Query API, or S3), for the set-up steps.
    public func send(
        _ client: CurlHTTPClient, signer: SigV4Signer, method: String, path: String, query: [(String, String)] = [],
        body: [UInt8] = [], contentType: String? = nil
    ) async throws -> HTTPClientResponse {
        let host = "127.0.0.1:\(port)"
        let payloadHash = Hex.lowercase(SHA256.hash(data: body))
        var headers: [(String, String)] = [("host", host)]
        if let contentType { headers.append(("content-type", contentType)) }
        let signed = signer.sign(
            method: method, path: path, query: query, headers: headers, payloadHash: payloadHash, date: Date())
        let queryText = query.map {
            "\(SigV4Signer.encode($0.0, keepSlash: false))=\(SigV4Signer.encode($0.1, keepSlash: false))"
        }
        .joined(separator: "&")
        var request = HTTPClientRequest(
            method: method, url: endpoint + path + (queryText.isEmpty ? "" : "?" + queryText),
            body: body.isEmpty ? .none : .bytes(body))
        for header in signed.headers where header.name != "host" { request.headers.add(header.name, header.value) }
        return try await client.execute(request)
    }

    /// Creates an IAM user with a key allowed everything, a bucket, and `objects`, in exactly
    /// five unauthenticated-window actions plus one per object; returns the key.
    public func provision(bucket: String, objects: [String: [UInt8]]) async throws -> (id: String, secret: String) {
        let bootstrap = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: "bootstrap", secretAccessKey: "bootstrap", region: "us-east-1", endpoint: endpoint))
        let iam = SigV4Signer(credentials: bootstrap.credentials, service: "iam")
        return try await CurlHTTPClient.withClient { client in
            func iamCall(_ parameters: [(String, String)]) async throws -> String {
                let form = (parameters + [("Version", "2010-05-08")])
                    .map { "\(SigV4Signer.encode($0.0, keepSlash: false))=\(SigV4Signer.encode($0.1, keepSlash: false))" }
                    .joined(separator: "&")
                let response = try await send(
                    client, signer: iam, method: "POST", path: "/", body: Array(form.utf8),
                    contentType: "application/x-www-form-urlencoded")
                guard response.isSuccess else { throw MotoSetupFailed(step: parameters[0].1, body: response.text) }
                return response.text
            }
            _ = try await iamCall([("Action", "CreateUser"), ("UserName", "hydrate")])
            let created = try await iamCall([("Action", "CreateAccessKey"), ("UserName", "hydrate")])
            let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
            _ = try await iamCall([
                ("Action", "PutUserPolicy"), ("UserName", "hydrate"), ("PolicyName", "all"), ("PolicyDocument", policy),
            ])
            func element(_ name: String) -> String? {
                guard let open = created.range(of: "<\(name)>"), let close = created.range(of: "</\(name)>") else { return nil }
                return String(created[open.upperBound..<close.lowerBound])
            }
            guard let id = element("AccessKeyId"), let secret = element("SecretAccessKey") else {
                throw MotoSetupFailed(step: "CreateAccessKey", body: created)
            }
            let s3 = SigV4Signer(
                credentials: AWSCredentials(accessKeyID: id, secretAccessKey: secret, region: "us-east-1", endpoint: endpoint))
            let bucketResponse = try await send(client, signer: s3, method: "PUT", path: "/\(bucket)")
            guard bucketResponse.isSuccess else { throw MotoSetupFailed(step: "CreateBucket", body: bucketResponse.text) }
            for (key, bytes) in objects.sorted(by: { $0.key < $1.key }) {
                let location = s3.objectLocation(bucket: bucket, key: key)
                let put = try await send(client, signer: s3, method: "PUT", path: location.path, body: bytes)
                guard put.isSuccess else { throw MotoSetupFailed(step: "PutObject \(key)", body: put.text) }
            }
            return (id, secret)
        }
    }
}

public struct MotoSetupFailed: Error, CustomStringConvertible {
    let step: String
    let body: String
    public var description: String { "moto set-up step \(step) failed: \(body.prefix(500))" }
}
