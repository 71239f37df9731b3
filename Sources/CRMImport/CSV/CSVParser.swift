/// The streaming RFC 4180 reader of the import job: fed the raw file in chunks of any size, it
/// emits each data row as a `CSVRecord`.
///
/// - The first non-blank record is the header: it is not emitted but exposed as `header`
///   (trimmed, empty names as `column_N`); data records are numbered from 1.
/// - Line breaks are CRLF, LF or a lone CR; blank lines (nothing, or only spaces and tabs that
///   are not the delimiter) are skipped; a last record needs no line break; cells keep their
///   surrounding whitespace.
/// - A broken row is never fatal: ragged rows, stray quotes, text after a closing quote, a quote
///   left open at the end of the file, over-long cells and undecodable bytes are kept as read
///   as far as the limits allow, and reported in `CSVRecord.errors`.
/// - Memory is bounded by the limits: at most `maxCellBytes` of a cell and `maxColumns` cells
///   of a row are kept, whatever the input.
/// - It can resume at a record boundary (`CSVResumePoint`) and then emits exactly what an
///   uninterrupted parse would have emitted from there.
///
/// It does not enforce `maxRows`: the shape scan refused such files at upload.
public struct CSVParser: Sendable {
    public let dialect: CSVDialect
    public let limits: CSVLimits
    /// The column names, once the header record has been read (or from the resume point).
    public internal(set) var header: [String]?
    /// The point just after the header record, once read (where a parse of the data resumes
    /// to start over).
    public internal(set) var headerResumePoint: CSVResumePoint?
    /// The number of the last data record emitted (0 before the first).
    public internal(set) var lastRecordNumber: Int
    /// The raw file offset just after the bytes fed so far.
    public internal(set) var byteOffset: Int64

    /// The header cells as written (the scanner checks them for duplicates).
    var rawHeader: [String]?
    var transcoder: CSVTranscoder
    /// Where in the raw file the parse started.
    let startOffset: Int64
    let delimiterByte: UInt8
    let maxCellBytes: Int
    let maxColumns: Int
    /// The bytes that end a run of unquoted data, as a bit set (all are below 64).
    let unquotedStops: UInt64

    var state = CSVFieldState.fieldStart
    /// The current record's cells, end to end, and where each ends.
    var fieldBytes: [UInt8] = []
    var fieldEnds: [Int] = []
    /// Where the current cell starts in `fieldBytes`, its full length and its flags.
    var fieldStart = 0
    var fieldLength = 0
    var fieldFlags: UInt8 = 0
    /// The flags of all the record's cells together.
    var recordFlags: UInt8 = 0
    var fieldIssues: [FieldIssue] = []
    /// Cells read past `maxColumns` and dropped.
    var droppedFields = 0
    /// The physical line being read, and the one the current record started on.
    var line: Int
    var recordLine: Int
    /// Whether the last byte read inside quotes was a CR (a CRLF there counts one line).
    var quotedCR = false
    /// A record ended on a CR at the end of a chunk: an LF opening the next one belongs to it.
    var pendingCR = false
    /// That record waits to be emitted until its end offset is known.
    var pendingEmit = false
    /// The offset in the UTF-8 stream of the chunk being scanned.
    var streamOffset: Int64 = 0
    /// For converted encodings, how far the stream has been mapped back to raw bytes.
    var countedStream: Int64 = 0
    var countedRaw: Int64 = 0

    /// A parser of a file read from its start, or from `resumeAt` (fed the file from its
    /// `byteOffset` on; with a resume point the first record read is data, its header given).
    public init(dialect: CSVDialect, limits: CSVLimits, resumeAt: CSVResumePoint? = nil) {
        self.dialect = dialect
        self.limits = limits
        let start = resumeAt?.byteOffset ?? 0
        startOffset = start
        byteOffset = start
        transcoder = CSVTranscoder(encoding: dialect.encoding, atStartOfFile: start == 0, recordsOffsets: true)
        delimiterByte = dialect.delimiter.byte
        maxCellBytes = limits.maxCellBytes
        maxColumns = limits.maxColumns
        var stops: UInt64 = 0
        for byte in [dialect.delimiter.byte, Self.quote, Self.cr, Self.lf] { stops |= 1 << UInt64(byte) }
        unquotedStops = stops
        lastRecordNumber = resumeAt?.recordNumber ?? 0
        line = resumeAt?.line ?? 1
        recordLine = line
        if let resumeAt {
            header = resumeAt.header
            rawHeader = resumeAt.header
            headerResumePoint = nil
        }
    }

    /// Reads the next chunk of the file, emitting the records it completes.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (CSVRecord) throws -> Void) rethrows {
        try feedBytes(chunk.assumingMemoryBound(to: UInt8.self), emit)
    }

    /// Reads the next chunk of the file, emitting the records it completes.
    public mutating func feed(_ chunk: [UInt8], _ emit: (CSVRecord) throws -> Void) rethrows {
        try chunk.withUnsafeBufferPointer { try feedBytes($0, emit) }
    }

    /// Reads the next chunk of the file, emitting the records it completes.
    public mutating func feed(_ chunk: ArraySlice<UInt8>, _ emit: (CSVRecord) throws -> Void) rethrows {
        try chunk.withUnsafeBufferPointer { try feedBytes($0, emit) }
    }

    /// Reads the next chunk of the file (any collection of bytes, such as `Data`).
    public mutating func feed(_ chunk: some Collection<UInt8>, _ emit: (CSVRecord) throws -> Void) rethrows {
        let done: Void? = try chunk.withContiguousStorageIfAvailable { try feedBytes($0, emit) }
        if done == nil { try feed(Array(chunk), emit) }
    }

    /// Ends the file: emits a last record without a line break (reporting a quote left open).
    public mutating func finish(_ emit: (CSVRecord) throws -> Void) rethrows {
        let tail = transcoder.finish()
        try tail.withUnsafeBufferPointer { try scan($0, emit) }
        if pendingCR {
            pendingCR = false
            if pendingEmit {
                pendingEmit = false
                try emitRecord(endOffset: byteOffset, endStream: streamOffset, emit)
            }
        } else if state != .fieldStart || !fieldEnds.isEmpty || droppedFields > 0 {
            if state == .quoted { fieldFlags |= Self.unterminatedFlag }
            endField()
            if isBlankRecord {
                resetRecord()
            } else {
                try emitRecord(endOffset: byteOffset, endStream: streamOffset, emit)
            }
        }
    }

    /// The point to resume at after `record`, a record this parser emitted.
    public func resumePoint(after record: CSVRecord) -> CSVResumePoint {
        CSVResumePoint(after: record, header: header ?? [])
    }

    private mutating func feedBytes(_ input: UnsafeBufferPointer<UInt8>, _ emit: (CSVRecord) throws -> Void) rethrows {
        byteOffset += Int64(input.count)
        if let converted = transcoder.convert(input) {
            try converted.withUnsafeBufferPointer { try scan($0, emit) }
        } else {
            try scan(input, emit)
        }
    }
}
