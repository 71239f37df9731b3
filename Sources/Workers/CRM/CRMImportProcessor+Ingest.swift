import CRMImport
import JobContracts
import PlatformStore
import VelocityTypes

extension CRMImportProcessor {
    /// Parses the upload from the batch's checkpoint on, storing rows a chunk at a time with
    /// the checkpoint moved in the same transaction; then on to proposing or awaiting a mapping.
    func ingest(_ batch: CRMImportBatch, progress: Progress) async throws -> CRMImportBatch {
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
        var checkpoint = batch.ingestOffset
        var rowsRead = batch.rowsRead
        var pending: [CSVRecord] = []
        var readOffset = batch.ingestOffset

        func flush() async throws {
            guard let last = pending.last else { return }
            let rows = pending.map { record in
                CRMImportRow(
                    number: record.number, line: record.line, cells: record.fields,
                    issues: record.errors.isEmpty ? nil : .array(record.errors.map(Self.issueJSON)))
            }
            try await store.appendRows(
                batchID: batch.id, tenant: batch.tenant, rows: rows, from: checkpoint, to: last.endOffset,
                nextLine: last.nextLine)
            checkpoint = last.endOffset
            rowsRead += rows.count
            pending.removeAll(keepingCapacity: true)
            try await report(progress, step: "ingest", done: rowsRead, of: batch.rowCount, checkpoint: String(checkpoint))
        }

        while true {
            try Task.checkCancellation()
            let bytes = try await blobs.read(batch.storageRef, offset: readOffset, maxBytes: readBytes)
            if bytes.isEmpty { break }
            readOffset += Int64(bytes.count)
            parser.feed(bytes) { pending.append($0) }
            if pending.count >= ingestChunkRows { try await flush() }
        }
        parser.finish { pending.append($0) }
        try await flush()
        _ = try await store.finishIngest(batchID: batch.id)
        guard let updated = try await store.batch(id: batch.id) else {
            throw JobError(code: "batch_not_found", message: "batch \(batch.id) vanished", retriable: false)
        }
        return updated
    }

    static func issueJSON(_ issue: CSVRowIssue) -> JSONValue {
        var fields: [String: JSONValue] = ["code": .string(issue.code), "message": .string(issue.message)]
        if let column = issue.column { fields["column"] = .int(Int64(column)) }
        return .object(fields)
    }
}
