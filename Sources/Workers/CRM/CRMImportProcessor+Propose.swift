import CRMImport
import JobContracts
import PlatformStore
import VelocityTypes

extension CRMImportProcessor {
    /// Normalizes the batch's rows with its manifest, groups the rows that are one person, and
    /// stores the proposals a chunk at a time (each chunk matched against the tenant's people
    /// in the same transaction).
    ///
    /// Two streaming passes over the upload: the first collects each row's phones and emails
    /// (`RowNormalizer.identityKeys`, not the whole row) for `RowClusterer`, unless the ingest
    /// just before gathered them (`gathered`); the second proposes each cluster when its last
    /// row goes by, so only clusters still open are held in memory. The checkpoint is the row
    /// after which every cluster that ended is stored: a resumed step re-runs the
    /// deterministic first pass and skips what it stored.
    func propose(
        _ batch: CRMImportBatch, gathered: GatheredClusters? = nil, progress: @escaping Progress
    ) async throws -> CRMImportBatch {
        guard let record = try await store.manifest(batchID: batch.id) else {
            throw JobError(code: "invalid_batch", message: "batch \(batch.id) has no mapping manifest", retriable: false)
        }
        let normalizer = try Self.normalizer(record, batch: batch)
        let total = batch.rowsRead

        let clusters: RowClusters
        if let gathered, gathered.manifestID == record.id {
            clusters = gathered.clusters
        } else {
            var clusterer = RowClusterer(expectedRows: total)
            try await scan(batch) { record in
                guard record.number <= total else { return }
                clusterer.add(row: record.number, keys: normalizer.identityKeys(fields: record.fields))
            }
            clusters = clusterer.finish(rowCount: total)
        }
        try await report(progress, step: "propose", done: batch.proposeRows, of: total, checkpoint: "grouped")

        let assembler = CRMProposalAssembler(batchID: batch.id)
        let done = batch.proposeRows
        var checkpoint = batch.proposeRows
        var emittedAccounts = Set<String>()
        var open: [Int: [(row: Int, data: NormalizedRow)]] = [:]
        var chunk = CRMProposalRows(batchID: batch.id, tenant: batch.tenant, firstSeq: batch.proposals)
        var issues: [(row: Int, issues: JSONValue)] = []
        var lastRow = done

        // Chunks are stored while the next ones are normalized, up to `proposeStoresInFlight` at
        // once on their own connections. A store starts once the one before it holds its turn
        // (`CRMImportStore.appendProposals`), so the checkpoint still moves chunk by chunk, in
        // order; each reports its progress after the one before it.
        var inFlight: [(task: Task<Void, any Error>, holding: AsyncStream<Void>, fromRow: Int)] = []
        func flush(through row: Int) async throws {
            if inFlight.count >= proposeStoresInFlight { try await inFlight.removeFirst().task.value }
            var completed = chunk
            completed.trimCapacity()
            let (proposals, chunkIssues, fromRow, previous) = (completed, issues, checkpoint, inFlight.last)
            checkpoint = row
            chunk = CRMProposalRows(batchID: batch.id, tenant: batch.tenant, firstSeq: chunk.nextSeq)
            issues.removeAll(keepingCapacity: true)
            let (holding, held) = AsyncStream<Void>.makeStream()
            let task = Task { [store] in
                defer { held.finish() }
                if let previous { for await _ in previous.holding {} }
                try await store.setNormalizationIssues(batchID: batch.id, issues: chunkIssues)
                try await store.appendProposals(
                    proposals, fromRow: fromRow, toRow: row, previousFromRow: previous?.fromRow,
                    holding: { held.finish() })
                try await previous?.task.value
                try await report(progress, step: "propose", done: row, of: total, checkpoint: String(row))
            }
            inFlight.append((task, holding, fromRow))
        }

        var pendingFlush = false
        do {
            try await scan(batch) { record in
                let row = record.number
                guard row <= total else { return }
                lastRow = row
                let cluster = clusters.cluster(of: row)
                let last = clusters.lastRow(ofCluster: cluster)
                let data = normalizer.normalize(fields: record.fields)
                if last <= done {
                    // Stored by an earlier attempt: only remember which accounts it proposed.
                    if let name = data.account?.name {
                        let key = CRMProposalAssembler.accountKey(name)
                        if !key.isEmpty { emittedAccounts.insert(key) }
                    }
                    return
                }
                if !data.issues.isEmpty {
                    issues.append((row, .array(data.issues.map { CRMProposalAssembler.issueJSON($0, row: nil) })))
                }
                if cluster == row && last == row {
                    chunk.append(contentsOf: assembler.proposals([(row, data)], emittedAccounts: &emittedAccounts))
                } else {
                    open[cluster, default: []].append((row, data))
                    if row == last, let rows = open.removeValue(forKey: cluster) {
                        chunk.append(contentsOf: assembler.proposals(rows, emittedAccounts: &emittedAccounts))
                    }
                }
                if chunk.count >= proposeChunkProposals { pendingFlush = true }
            } afterChunk: {
                if pendingFlush {
                    pendingFlush = false
                    try await flush(through: lastRow)
                }
            }
            if lastRow > checkpoint || chunk.count > 0 { try await flush(through: max(lastRow, checkpoint)) }
            for store in inFlight { try await store.task.value }
        } catch {
            // Nothing of the step outlives it.
            for store in inFlight { store.task.cancel() }
            for store in inFlight { _ = try? await store.task.value }
            throw error
        }
        try await store.analyzeProposals()
        try await store.setStatus(batch.id, to: .inReview, from: [.proposing])
        guard let updated = try await store.batch(id: batch.id) else {
            throw JobError(code: "batch_not_found", message: "batch \(batch.id) vanished", retriable: false)
        }
        logger.info("crm import \(batch.id): \(updated.proposals) proposals from \(total) rows")
        return updated
    }

    /// Streams the upload's records through `body`, calling `afterChunk` between pieces read
    /// from the blob store (where async work such as storing a chunk can happen).
    func scan(
        _ batch: CRMImportBatch, _ body: (CSVRecord) throws -> Void,
        afterChunk: () async throws -> Void = {}
    ) async throws {
        guard let encoding = CSVEncoding(rawValue: batch.encoding), let delimiter = CSVDelimiter(rawValue: batch.delimiter)
        else {
            throw JobError(code: "invalid_batch", message: "batch \(batch.id) has an unknown dialect", retriable: false)
        }
        var parser = CSVParser(
            dialect: CSVDialect(encoding: encoding, delimiter: delimiter), limits: CSVLimits(maxRows: Int.max))
        var offset: Int64 = 0
        while true {
            try Task.checkCancellation()
            let bytes = try await blobs.read(batch.storageRef, offset: offset, maxBytes: readBytes)
            if bytes.isEmpty { break }
            offset += Int64(bytes.count)
            try parser.feed(bytes, body)
            try await afterChunk()
        }
        try parser.finish(body)
        try await afterChunk()
    }
}
