public import VelocityTypes

/// Scans a CSV upload as it streams in, before it is stored: detects the dialect, counts the
/// data rows, reads the header, and refuses what cannot be imported (typed `CSVError`s:
/// `not_csv`, `empty_file`, `header_only`, `duplicate_headers`, `too_many_rows`,
/// `too_many_columns`, `header_too_long`).
///
/// Memory stays small whatever the file's size: the first 64 KiB at most (for the delimiter
/// detection) and the header record. `too_many_rows` and `not_csv` are thrown from `feed` as
/// soon as they are known, so an upload can be cut short.
///
/// ```swift
/// var scanner = CSVShapeScanner(limits: CSVLimits(maxRows: 1_000_000))
/// for chunk in upload { try scanner.feed(chunk) }
/// let shape = try scanner.finish()
/// ```
public struct CSVShapeScanner: Sendable {
    /// Bytes read before the start of the file is checked for binary signatures and a
    /// byte-order mark.
    static let sniffLength = 4
    /// The prefix size at which the delimiter is first tried; doubled until it is decided.
    static let firstDetectionSize = 4_096

    enum Family: Sendable, Equatable {
        /// UTF-8 or Windows-1252 (decided at the end), with or without a UTF-8 byte-order mark.
        case asciiCompatible(byteOrderMark: Bool)
        case utf16(CSVEncoding)
    }

    public let limits: CSVLimits
    /// Raw bytes fed so far.
    public private(set) var byteCount: Int64 = 0
    private var sniffed: [UInt8] = []
    private var family: Family?
    private var transcoder: CSVTranscoder?
    private var validator = CSVUTF8Validator()
    private var validatorErrors: [Int64] = []
    private var undefinedInWindows1252 = 0
    /// Bytes kept until the delimiter is decided.
    private var prefix: [UInt8] = []
    private var nextDetection = firstDetectionSize
    private var delimiter: CSVDelimiter?
    private var counter: CSVRecordCounter?

    public init(limits: CSVLimits) {
        self.limits = limits
    }

    /// Reads the next chunk of the upload.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) throws(CSVError) {
        try feedBytes(chunk.assumingMemoryBound(to: UInt8.self))
    }

    /// Reads the next chunk of the upload.
    public mutating func feed(_ chunk: [UInt8]) throws(CSVError) {
        try chunk.withUnsafeBufferPointer { (bytes) throws(CSVError) in try feedBytes(bytes) }
    }

    /// Reads the next chunk of the upload.
    public mutating func feed(_ chunk: ArraySlice<UInt8>) throws(CSVError) {
        try chunk.withUnsafeBufferPointer { (bytes) throws(CSVError) in try feedBytes(bytes) }
    }

    /// Reads the next chunk of the upload (any collection of bytes, such as `Data`).
    public mutating func feed(_ chunk: some Collection<UInt8>) throws(CSVError) {
        var failure: CSVError?
        let done: Void? = chunk.withContiguousStorageIfAvailable { bytes in
            do throws(CSVError) { try feedBytes(bytes) } catch { failure = error }
        }
        if done == nil { try feed(Array(chunk)) }
        if let failure { throw failure }
    }

    /// Ends the scan: counts a last record without a line break, decides the encoding, decodes
    /// and checks the header.
    public mutating func finish() throws(CSVError) -> CSVShape {
        if family == nil {
            guard !sniffed.isEmpty else { throw CSVError.emptyFile(hasBytes: false) }
            try decideFamily()
        }
        if case .utf16 = family {
            let tail = transcoder?.finish() ?? []
            try tail.withUnsafeBufferPointer { (bytes) throws(CSVError) in try structure(bytes) }
        } else {
            validator.finish(into: &validatorErrors)
        }
        if counter == nil { try decideDelimiter(isComplete: true) }
        guard var counter, let delimiter else { throw CSVError(.internalError, "the delimiter was not decided") }
        try counter.finish()
        guard counter.headerFound && counter.sawText else { throw CSVError.emptyFile(hasBytes: true) }
        guard counter.headerColumnCount <= limits.maxColumns else {
            throw CSVError.tooManyColumns(counter.headerColumnCount, limit: limits.maxColumns)
        }
        let (encoding, headerEncoding, undecodable) = decidedEncoding()
        let rawHeader = Self.decodeHeader(counter.headerBytes, encoding: headerEncoding, delimiter: delimiter, limits: limits)
        let duplicates = CSVHeader.duplicates(in: rawHeader)
        guard duplicates.isEmpty else { throw CSVError.duplicateHeaders(duplicates) }
        let header = CSVHeader.normalize(rawHeader)
        guard counter.dataRowCount > 0 else { throw CSVError.headerOnly(header) }
        return CSVShape(
            dialect: CSVDialect(encoding: encoding, delimiter: delimiter),
            header: header,
            dataRowCount: counter.dataRowCount,
            byteCount: byteCount,
            undecodableCount: undecodable
        )
    }

    private mutating func feedBytes(_ bytes: UnsafeBufferPointer<UInt8>) throws(CSVError) {
        byteCount += Int64(bytes.count)
        guard let family else {
            sniffed.append(contentsOf: bytes)
            if sniffed.count >= Self.sniffLength { try decideFamily() }
            return
        }
        try ingest(bytes, family: family)
    }

    /// Refuses a binary signature and reads the byte-order mark, then passes on the bytes held.
    private mutating func decideFamily() throws(CSVError) {
        let head = sniffed
        sniffed = []
        if let refusal = CSVError.binarySignature(head) { throw refusal }
        var skipped = 0
        let family: Family
        switch CSVEncoding.fromByteOrderMark(Array(head.prefix(3))) {
        case .utf8BOM:
            family = .asciiCompatible(byteOrderMark: true)
            skipped = 3
        case .some(let encoding) where !encoding.isASCIICompatible:
            family = .utf16(encoding)
            transcoder = CSVTranscoder(encoding: encoding)
        default:
            family = .asciiCompatible(byteOrderMark: false)
        }
        self.family = family
        try head.withUnsafeBufferPointer { (bytes) throws(CSVError) in
            try ingest(UnsafeBufferPointer(rebasing: bytes[skipped...]), family: family)
        }
    }

    private mutating func ingest(_ bytes: UnsafeBufferPointer<UInt8>, family: Family) throws(CSVError) {
        switch family {
        case .utf16:
            let converted = transcoder?.convert(bytes) ?? []
            try converted.withUnsafeBufferPointer { (utf8) throws(CSVError) in try structure(utf8) }
        case .asciiCompatible:
            validator.validate(bytes, into: &validatorErrors)
            validatorErrors.removeAll(keepingCapacity: true)
            try screen(bytes)
            try structure(bytes)
        }
    }

    /// Refuses NUL bytes and counts the bytes Windows-1252 leaves undefined.
    private mutating func screen(_ bytes: UnsafeBufferPointer<UInt8>) throws(CSVError) {
        guard let base = bytes.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index < bytes.count {
            // Eight bytes at a time while they hold neither a NUL nor a byte over 0x7F.
            if index + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if (word &- 0x0101_0101_0101_0101 | word) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                    continue
                }
            }
            let byte = base[index]
            if byte == 0 { throw CSVError.containsNUL }
            if CSVTranscoder.isUndefinedInWindows1252(byte) { undefinedInWindows1252 += 1 }
            index += 1
        }
    }

    /// Routes ASCII-compatible bytes to the delimiter detection, then to the record counter.
    private mutating func structure(_ bytes: UnsafeBufferPointer<UInt8>) throws(CSVError) {
        if counter != nil {
            try counter?.consume(bytes)
            return
        }
        prefix.append(contentsOf: bytes)
        while counter == nil && prefix.count >= nextDetection {
            nextDetection *= 2
            try decideDelimiter(isComplete: false)
        }
    }

    private mutating func decideDelimiter(isComplete: Bool) throws(CSVError) {
        let sample = prefix
        guard let delimiter = sample.withUnsafeBufferPointer({ CSVDelimiterDetector.detect($0, isComplete: isComplete) })
        else { return }
        self.delimiter = delimiter
        prefix = []
        var counter = CSVRecordCounter(delimiter: delimiter.byte, maxRows: limits.maxRows, rejectsNUL: transcoder == nil)
        try sample.withUnsafeBufferPointer { (bytes) throws(CSVError) in try counter.consume(bytes) }
        self.counter = counter
    }

    /// The file's encoding, the encoding its header bytes are in, and the undecodable count.
    private func decidedEncoding() -> (CSVEncoding, CSVEncoding, Int) {
        switch family {
        case .utf16(let encoding):
            return (encoding, .utf8, transcoder?.undecodableCount ?? 0)
        case .asciiCompatible(byteOrderMark: true):
            return (.utf8BOM, .utf8, validator.errorCount)
        case .asciiCompatible(byteOrderMark: false), nil:
            return validator.errorCount == 0 ? (.utf8, .utf8, 0) : (.windows1252, .windows1252, undefinedInWindows1252)
        }
    }

    /// The cells of the header record, read by the parser itself so that both agree.
    static func decodeHeader(_ bytes: [UInt8], encoding: CSVEncoding, delimiter: CSVDelimiter, limits: CSVLimits) -> [String] {
        var parser = CSVParser(
            dialect: CSVDialect(encoding: encoding, delimiter: delimiter),
            limits: CSVLimits(maxRows: 1, maxCellBytes: limits.maxCellBytes, maxColumns: limits.maxColumns)
        )
        parser.feed(bytes) { _ in }
        parser.finish { _ in }
        return parser.rawHeader ?? []
    }
}
