public import CurlClient
import Foundation
public import S3
import Synchronization

/// One moto S3 server for the whole test process, started on first use with authentication on
/// and a key allowed everything; each test makes buckets of its own. It is stopped when the
/// test process exits (`atexit`), so no server outlives the run.
public enum SharedMoto {
    public struct Handle: Sendable {
        public let endpoint: String
        public let credentials: AWSCredentials

        /// Creates a bucket with a unique name and returns it.
        public func makeBucket() async throws -> String {
            let name = "vj-" + UUID().uuidString.lowercased().prefix(13)
            let signer = SigV4Signer(credentials: credentials)
            let host = endpoint.replacingOccurrences(of: "http://", with: "")
            let signed = signer.sign(method: "PUT", path: "/\(name)", headers: [("host", host)], date: Date())
            var request = HTTPClientRequest(method: "PUT", url: "\(endpoint)/\(name)")
            for header in signed.headers where header.name != "host" { request.headers.add(header.name, header.value) }
            let response = try await CurlHTTPClient.withClient { try await $0.execute(request) }
            guard response.isSuccess else { throw MotoSetupFailed(step: "CreateBucket \(name)", body: response.text) }
            return String(name)
        }
    }

    private static let started = Mutex<Task<Handle, any Error>?>(nil)
    private static let pid = Atomic<Int32>(0)
    /// Kept alive for the process: the server's `Process` must not be released.
    private static let server = Mutex<MotoServer?>(nil)

    public static func handle() async throws -> Handle {
        let task = started.withLock { task -> Task<Handle, any Error> in
            if let task { return task }
            let new = Task { try await start() }
            task = new
            return new
        }
        return try await task.value
    }

    private static func start() async throws -> Handle {
        let moto = try await MotoServer(unauthenticatedActions: 5)
        server.withLock { $0 = moto }
        pid.store(moto.processID, ordering: .relaxed)
        atexit {
            let pid = SharedMoto.pid.load(ordering: .relaxed)
            // SIGTERM: the watching shell stops the server before it exits.
            if pid > 0 { kill(pid, SIGTERM) }
        }
        let key = try await moto.provision(bucket: "vj-shared-bootstrap", objects: [:])
        return Handle(
            endpoint: moto.endpoint,
            credentials: AWSCredentials(
                accessKeyID: key.id, secretAccessKey: key.secret, region: "us-east-1", endpoint: moto.endpoint))
    }
}
