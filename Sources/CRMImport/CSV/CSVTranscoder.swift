/// Turns the bytes of a CSV file, fed in chunks cut anywhere, into UTF-8.
///
/// UTF-8 passes through checked (a leading byte-order mark dropped); UTF-16 and Windows-1252
/// are converted, a lone surrogate, an odd trailing byte or one of the five bytes Windows-1252
/// leaves undefined becoming U+FFFD and counting in `undecodableCount`. A character or a
/// surrogate pair cut by a chunk boundary is carried to the next chunk. Every character of the
/// output is whole: a chunk of output never ends inside a UTF-8 sequence, except where the
/// UTF-8 input itself does.
public struct CSVTranscoder: Sendable {
    public let encoding: CSVEncoding
    /// Sequences that could not be decoded (and read as U+FFFD), so far.
    public internal(set) var undecodableCount = 0
    /// Bytes of the byte-order mark dropped from the start of the file (0 until known).
    public internal(set) var byteOrderMarkLength = 0
    /// UTF-8 bytes produced so far.
    public internal(set) var outputCount: Int64 = 0

    /// Whether `undecodableOffsets` is kept for `takeUndecodable(before:)` (the parser's use).
    let recordsOffsets: Bool
    /// Output offsets of the undecodable sequences not yet taken.
    var undecodableOffsets: [Int64] = []
    var undecodableHead = 0
    /// True until the start of the file has been seen, where a byte-order mark may stand.
    var atStartOfFile: Bool
    /// Input bytes carried to the next chunk: the start of a possible UTF-8 byte-order mark, or
    /// the first byte of a UTF-16 code unit.
    var held: [UInt8] = []
    /// A UTF-16 high surrogate waiting for its low half (0 for none).
    var highSurrogate: UInt16 = 0
    var validator = CSVUTF8Validator()

    /// A transcoder for a file read from its start (`atStartOfFile`, where a byte-order mark is
    /// dropped), or from a record boundary inside it.
    public init(encoding: CSVEncoding, atStartOfFile: Bool = true) {
        self.init(encoding: encoding, atStartOfFile: atStartOfFile, recordsOffsets: false)
    }

    init(encoding: CSVEncoding, atStartOfFile: Bool, recordsOffsets: Bool) {
        self.encoding = encoding
        self.atStartOfFile = atStartOfFile && encoding != .windows1252
        self.recordsOffsets = recordsOffsets
    }

    /// The UTF-8 of the next chunk of the file.
    public mutating func transcode(_ chunk: some Collection<UInt8>) -> [UInt8] {
        if let result = chunk.withContiguousStorageIfAvailable({ convert($0) ?? Array($0) }) {
            return result
        }
        let copy = Array(chunk)
        return copy.withUnsafeBufferPointer { convert($0) ?? copy }
    }

    /// The UTF-8 of what was carried at the end of the file (a lone surrogate, an odd byte, a
    /// cut sequence), to append after the last chunk's output.
    public mutating func finish() -> [UInt8] {
        switch encoding {
        case .utf8, .utf8BOM: finishUTF8()
        case .utf16LE, .utf16BE: finishUTF16()
        case .windows1252: []
        }
    }

    /// The UTF-8 of `input`, or nil when `input` itself is that UTF-8 (checked UTF-8 passing
    /// through), which spares the parser a copy.
    mutating func convert(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        switch encoding {
        case .utf8, .utf8BOM: convertUTF8(input)
        case .utf16LE: convertUTF16(input, bigEndian: false)
        case .utf16BE: convertUTF16(input, bigEndian: true)
        case .windows1252: convertWindows1252(input)
        }
    }

    /// How many undecodable sequences lie before output offset `offset`, taking them: the
    /// parser asks at each record's end which of them fell in the record.
    @inline(__always)
    mutating func takeUndecodable(before offset: Int64) -> Int {
        guard undecodableHead < undecodableOffsets.count else { return 0 }
        let start = undecodableHead
        while undecodableHead < undecodableOffsets.count && undecodableOffsets[undecodableHead] < offset {
            undecodableHead += 1
        }
        let taken = undecodableHead - start
        if undecodableHead == undecodableOffsets.count {
            undecodableOffsets.removeAll(keepingCapacity: true)
            undecodableHead = 0
        }
        return taken
    }

    /// Counts an undecodable sequence whose U+FFFD starts at output offset `offset`.
    mutating func noteUndecodable(at offset: Int64) {
        undecodableCount += 1
        if recordsOffsets { undecodableOffsets.append(offset) }
    }

    /// Output bytes of the UTF-8 that a conversion writes at most `capacity` bytes of.
    static func makeOutput(capacity: Int, _ body: (inout CSVUTF8Sink) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: max(capacity, 1)) { buffer, initialized in
            guard let base = buffer.baseAddress else {
                initialized = 0
                return
            }
            var sink = CSVUTF8Sink(base: base)
            body(&sink)
            initialized = sink.count
        }
    }
}
