import CRMImport
import Crypto
import Foundation
import HTTPTypes
import Synchronization
import VelocityTypes

/// Watches a CSV upload as it streams in: its SHA-256 (the batch's content address) and its
/// shape (encoding, delimiter, header, rows), so a file that is not a usable CSV, or has more
/// rows than allowed, is refused before it is stored, and the stored batch knows its row count.
final class CRMUploadInspector: Sendable {
    private struct State {
        var hasher = SHA256()
        var scanner: CSVShapeScanner
    }

    private let state: Mutex<State>

    init(limits: CSVLimits) {
        state = Mutex(State(scanner: CSVShapeScanner(limits: limits)))
    }

    /// The next bytes of the file; throws the gateway's refusal for what the scanner refuses.
    func inspect(_ bytes: [UInt8]) throws {
        try state.withLock { state in
            state.hasher.update(data: bytes)
            do throws(CSVError) {
                try state.scanner.feed(bytes)
            } catch {
                throw Self.refusal(error)
            }
        }
    }

    /// The file's shape and hex SHA-256, once it is all in.
    func finish() throws -> (shape: CSVShape, sha256: String) {
        try state.withLock { state in
            let shape: CSVShape
            do throws(CSVError) {
                shape = try state.scanner.finish()
            } catch {
                throw Self.refusal(error)
            }
            let digest = Hex.lowercase(state.hasher.finalize())
            return (shape, digest)
        }
    }

    /// The scanner's refusals as HTTP: a file that is not CSV is 415, one with too many rows
    /// 413, an empty or header-only file or duplicate headers 422; the code names the rule.
    static func refusal(_ error: CSVError) -> GatewayError {
        let status: HTTPResponse.Status
        switch error.code {
        case .notCSV: status = .unsupportedMediaType
        case .tooManyRows: status = .contentTooLarge
        default: status = .unprocessableContent
        }
        return GatewayError(status, error.code, error.message, details: ["field": "file"], cause: error)
    }
}
