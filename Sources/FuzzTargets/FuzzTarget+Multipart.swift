import BlobStore
import Foundation
import Gateway
import NIOCore
import Synchronization

extension FuzzTarget {
    static let multipartLimits = MultipartUpload.Limits(maxFileBytes: 256, maxFieldBytes: 64, maxParts: 4)
    /// One blob store for the process: every input must leave its staging area empty.
    static let multipartRoot: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-fuzz-multipart-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        try! FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }()
    static let multipartStore = try! FileBlobStore(root: multipartRoot)
    static let multipartLock = NSLock()

    /// The body of a `multipart/form-data; boundary=vjfuzz` request to a route taking a `file`
    /// part and text fields, read as it streams in: in chunks split by the input, then whole.
    static func multipart(_ bytes: [UInt8]) {
        // One input at a time: the staging area is shared, and it is checked empty after each.
        multipartLock.lock()
        defer { multipartLock.unlock() }
        // The whole-body limit is met at the chunk that crosses it, so where a body splits can
        // change which refusal comes first past it; below it, nothing may.
        guard bytes.count <= 8 * 1024 else { return }
        let whole = blocking { await readForm([bytes[...]]) }
        let split = blocking { await readForm(chunks(bytes, seed: bytes.first ?? 0)) }
        check(whole == split, "splitting the body changed the outcome: \(whole) vs \(split)")
        if case .form(let fields, let files) = whole {
            check(fields.count + files.count <= 4, "\(fields.count + files.count) parts past maxParts 4")
            check(fields.values.allSatisfy { $0.utf8.count <= 64 }, "a field past maxFieldBytes 64")
            check(files.values.allSatisfy { $0 <= 256 }, "a file past maxFileBytes 256")
        }
        let left = FileManager.default.enumerator(atPath: multipartRoot.path)?.allObjects.compactMap { $0 as? String } ?? []
        let files = left.filter {
            var directory: ObjCBool = false
            FileManager.default.fileExists(atPath: multipartRoot.appendingPathComponent($0).path, isDirectory: &directory)
            return !directory.boolValue
        }
        check(files.isEmpty, "a read left files behind: \(files)")
    }

    enum MultipartOutcome: Equatable, CustomStringConvertible {
        case form(fields: [String: String], files: [String: Int])
        case refused(status: Int, code: String)

        var description: String {
            switch self {
            case .form(let fields, let files): "form(fields: \(fields), files: \(files))"
            case .refused(let status, let code): "refused(\(status) \(code))"
            }
        }
    }

    static func readForm(_ chunks: [ArraySlice<UInt8>]) async -> MultipartOutcome {
        let reader = MultipartUpload(blobs: multipartStore, fileFields: ["file"], limits: multipartLimits)
        let body = AsyncStream<ByteBuffer> { continuation in
            for chunk in chunks { continuation.yield(ByteBuffer(bytes: chunk)) }
            continuation.finish()
        }
        do {
            let form = try await reader.read(body, boundary: "vjfuzz")
            await form.discard()
            return .form(fields: form.fields, files: form.files.mapValues(\.byteCount))
        } catch let error as GatewayError {
            check((400..<500).contains(error.status.code), "refused with \(error.status.code): \(error.message)")
            return .refused(status: error.status.code, code: error.code.rawValue)
        } catch {
            check(false, "a refusal that is not a GatewayError: \(error)")
            return .refused(status: 0, code: "")
        }
    }

    /// Runs async work to its end from libFuzzer's synchronous callback.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }
}
