import Crypto
import Foundation
@testable import Hydration

/// A fresh store root and manifest directory per test, removed at the end.
struct HydrationFixture {
    let directory: String
    var root: String { directory + "/store" }
    var manifests: String { directory + "/manifests" }

    init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/velocity-hydration-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/manifests", withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    /// Small chunks and fast retries, so tests exercise many ranges quickly.
    func configuration() -> HydrationConfiguration {
        var configuration = HydrationConfiguration(root: root, manifestDirectory: manifests, environment: [:])
        configuration.chunkBytes = 64 * 1024
        configuration.rangesPerFile = 3
        // The range server's cut leaves the connection open: a short stall limit notices it. Not
        // shorter: a loaded machine (the whole suite on two cores) answers a request late, and a
        // limit it trips adds a retry the tests that count requests do not expect.
        configuration.stallSeconds = 3
        // The hasher that follows the written prefix is the intricate path: every test takes it
        // unless it asks for the other.
        configuration.hashing = .overlapped
        configuration.retry = DownloadRetryPolicy(
            attemptsPerRange: 3, attemptsPerFile: 2, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20))
        return configuration
    }

    func writeManifest(_ mode: String, _ entries: [String]) throws {
        let text = "mode: \(mode)\nmodels:\n" + entries.joined(separator: "\n") + "\n"
        try text.write(toFile: manifests + "/\(mode).yaml", atomically: true, encoding: .utf8)
    }

    static func entry(
        name: String, kind: String = "checkpoint", source: String, bytes: [UInt8], sha256: String? = nil,
        destination: String
    ) -> String {
        """
          - name: \(name)
            kind: \(kind)
            source: \(source)
            size: \(bytes.count)
            sha256: "\(sha256 ?? Self.sha256(bytes))"
            destination: \(destination)
        """
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// A valid safetensors file with `payload` bytes of U8 data.
    static func safetensors(payload: Int, seed: UInt8 = 1) -> [UInt8] {
        var header = "{\"weight\":{\"dtype\":\"U8\",\"shape\":[\(payload)],\"data_offsets\":[0,\(payload)]}}"
        while header.utf8.count % 8 != 0 { header += " " }
        let length = UInt64(header.utf8.count)
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
        bytes += Array(header.utf8)
        var state = UInt32(seed) &* 2_654_435_761
        for _ in 0..<payload {
            state = state &* 1_664_525 &+ 1_013_904_223
            bytes.append(UInt8(truncatingIfNeeded: state >> 24))
        }
        return bytes
    }

    func files(under path: String) -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []).sorted()
    }
}
