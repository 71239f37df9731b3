import BlobStore
import Broker
import Foundation

/// Files and batches as the routes see them: lookups scoped to the caller, and batch
/// creation shared by the OpenAI routes and the platform's runtime routes.
struct BatchLibrary: Sendable {
    let store: BatchStore
    let blobs: any BlobStore

    /// Endpoints whose requests the `llm.batch` workers serve.
    static let endpoints = ["/v1/chat/completions"]
    static let completionWindows = ["24h"]

    /// A file the caller may see; 404 for an unknown id and for another tenant's file alike,
    /// so ids of other tenants cannot be probed.
    func file(id: String, for principal: Principal) async throws -> BatchStore.StoredFile {
        guard let file = try await store.file(id: id), principal.canSee(tenant: file.tenant) else {
            throw GatewayError.notFound("file")
        }
        return file
    }

    func batch(id: String, for principal: Principal) async throws -> BatchStore.StoredBatch {
        guard let batch = try await store.batch(id: id), principal.canSee(tenant: batch.tenant) else {
            throw GatewayError.notFound("batch")
        }
        return batch
    }

    /// Stores bytes as a new file of `tenant`.
    func storeFile(
        _ bytes: [UInt8], tenant: String, purpose: String, filename: String
    ) async throws -> BatchStore.StoredFile {
        let id = BatchIdentifiers.newFileID()
        let key = BatchIdentifiers.blobKey(fileID: id)
        try await blobs.write(bytes, as: key)
        do {
            return try await store.insertFile(
                id: id, tenant: tenant, purpose: purpose, filename: filename, bytes: bytes.count, blobKey: key)
        } catch {
            try? await blobs.delete(key)
            throw error
        }
    }

    /// Records a committed upload as a file; removes the blob if the row cannot be written.
    func recordUpload(
        _ upload: MultipartFileReceiver.Received, id: String, tenant: String, purpose: String
    ) async throws -> BatchStore.StoredFile {
        let key = BatchIdentifiers.blobKey(fileID: id)
        try await upload.upload.commit(as: key)
        do {
            return try await store.insertFile(
                id: id, tenant: tenant, purpose: purpose, filename: upload.filename, bytes: upload.bytes, blobKey: key)
        } catch {
            try? await blobs.delete(key)
            throw error
        }
    }

    /// Creates a batch in `validating` over an input file the caller owns; the coordinator
    /// takes it from there. `fieldPrefix` names fields for the route's own body shape.
    func createBatch(
        principal: Principal, inputFileID: String, endpoint: String, completionWindow: String, metadata: String?,
        webhook: JobWebhook? = nil, fieldPrefix: String = ""
    ) async throws -> BatchStore.StoredBatch {
        guard Self.endpoints.contains(endpoint) else {
            throw GatewayError.invalid(
                field: fieldPrefix + "endpoint",
                "'\(endpoint)' is not supported; supported: \(Self.endpoints.joined(separator: ", "))")
        }
        guard Self.completionWindows.contains(completionWindow) else {
            throw GatewayError.invalid(field: fieldPrefix + "completion_window", "must be '24h'")
        }
        // The batch is the caller's tenant's, so its input must be too (even for an admin).
        guard let file = try await store.file(id: inputFileID), file.tenant == principal.tenant else {
            throw GatewayError(
                .notFound, .notFound, "input file '\(inputFileID)' not found",
                details: ["field": fieldPrefix + "input_file_id"])
        }
        guard file.purpose == "batch" else {
            throw GatewayError.invalid(
                field: fieldPrefix + "input_file_id", "file '\(inputFileID)' has purpose '\(file.purpose)', not 'batch'")
        }
        return try await store.insertBatch(
            id: BatchIdentifiers.newBatchID(), tenant: principal.tenant, endpoint: endpoint, inputFileID: inputFileID,
            completionWindow: completionWindow, metadata: metadata, webhook: webhook)
    }
}
