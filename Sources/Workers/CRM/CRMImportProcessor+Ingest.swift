import CRMImport
import JobContracts
import PlatformStore
import VelocityTypes

extension CRMImportProcessor {
    /// Parses the upload from the batch's checkpoint on, storing rows a chunk at a time with
    /// the checkpoint moved in the same transaction; then on to proposing or awaiting a mapping.
    ///
    /// A chunk is stored while the next one is parsed (one store in flight: the checkpoint
    /// moves in order). An ingest that reads the whole upload with a resolved manifest also
    /// gathers each row's identity keys on the way, for the propose step that follows.
    func ingest(_ batch: CRMImportBatch, progress: @escaping Progress) async throws -> (
        CRMImportBatch, GatheredClusters?
    ) {
        guard let encoding = CSVEncoding(rawValue: batch.encoding), let delimiter = CSVDelimiter(rawValue: batch.delimiter)
        else {
            throw JobError(
                code: "invalid_batch", message: "batch \(batch.id) has encoding \(batch.encoding), delimiter \(batch.delimiter)",
                retriable: false)
        }
        let resume =
            batch.ingestOffset > 0
            ? CSVResumePoint(
                byteOffset: batch.ingestOffset, recordNumber: batch.rowsRead, header: batch.header, line: batch.ingestLine)
            : nil
        var parser = CSVParser(
            dialect: CSVDialect(encoding: encoding, delimiter: delimiter),
            limits: CSVLimits(maxRows: Int.max), resumeAt: resume)
        var gathered: (manifestID: String, clusterer: RowClusterer)?
        var normalizer: RowNormalizer?
        if resume == nil, let record = try await store.manifest(batchID: batch.id), record.resolved {
            normalizer = try Self.normalizer(record, batch: batch)
            gathered = (record.id, RowClusterer(expectedRows: batch.rowCount))
        }
        var checkpoint = batch.ingestOffset
        var rowsRead = batch.rowsRead
        var pending: [CSVRecord] = []
        var readOffset = batch.ingestOffset
        var inFlight: Task<Void, any Error>?

        func take(_ record: CSVRecord) {
            pending.append(record)
            if let normalizer {
                gathered?.clusterer.add(row: record.number, keys: normalizer.identityKeys(fields: record.fields))
            }
        }

        func flush() async throws {
            try await inFlight?.value
            guard let last = pending.last else { return }
            let rows = pending.map { record in
                CRMImportRow(
                    number: record.number, line: record.line, cells: record.fields,
                    issues: record.errors.isEmpty ? nil : .array(record.errors.map(Self.issueJSON)))
            }
            let from = checkpoint
            checkpoint = last.endOffset
            rowsRead += rows.count
            pending.removeAll(keepingCapacity: true)
            let (done, to) = (rowsRead, checkpoint)
            inFlight = Task { [store] in
                try await store.appendRows(
                    batchID: batch.id, tenant: batch.tenant, rows: rows, from: from, to: to, nextLine: last.nextLine)
                try await report(progress, step: "ingest", done: done, of: batch.rowCount, checkpoint: String(to))
            }
        }

        do {
            while true {
                try Task.checkCancellation()
                let bytes = try await blobs.read(batch.storageRef, offset: readOffset, maxBytes: readBytes)
                if bytes.isEmpty { break }
                readOffset += Int64(bytes.count)
                parser.feed(bytes, take)
                if pending.count >= ingestChunkRows { try await flush() }
            }
            parser.finish(take)
            try await flush()
            try await inFlight?.value
        } catch {
            // Nothing of the step outlives it.
            inFlight?.cancel()
            _ = try? await inFlight?.value
            throw error
        }
        _ = try await store.finishIngest(batchID: batch.id)
        guard let updated = try await store.batch(id: batch.id) else {
            throw JobError(code: "batch_not_found", message: "batch \(batch.id) vanished", retriable: false)
        }
        return (
            updated,
            gathered.map {
                GatheredClusters(manifestID: $0.manifestID, clusters: $0.clusterer.finish(rowCount: updated.rowsRead))
            }
        )
    }

    static func issueJSON(_ issue: CSVRowIssue) -> JSONValue {
        var fields: [String: JSONValue] = ["code": .string(issue.code), "message": .string(issue.message)]
        if let column = issue.column { fields["column"] = .int(Int64(column)) }
        return .object(fields)
    }
}
