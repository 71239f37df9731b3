import VelocityTypes

/// Counts the records of a file as it streams in, by the parser's rules (`CSVFieldState`,
/// blank lines skipped), and keeps the bytes of the header record for decoding at the end.
///
/// It reads ASCII-compatible bytes: the raw file for UTF-8 and Windows-1252 (whose records
/// split at the same bytes whichever of the two the file turns out to be), the transcoded
/// UTF-8 for UTF-16.
struct CSVRecordCounter: Sendable {
    /// The header may not be longer (an unclosed quote in it would swallow the file).
    static let maxHeaderBytes = 1 << 20

    let delimiter: UInt8
    let maxRows: Int
    /// Whether a NUL byte refuses the file (it does unless the file is UTF-16).
    let rejectsNUL: Bool
    /// The bytes that need a decision outside quotes, as a bit set (all are below 64).
    private let stops: UInt64
    private var state = CSVFieldState.fieldStart
    /// Whether the record so far is more than spaces and tabs (else it is a blank line).
    private var hasContent = false
    private var columns = 1
    private(set) var headerFound = false
    /// The header record's bytes (from the file's first non-blank record, with its line break).
    private(set) var headerBytes: [UInt8] = []
    private(set) var headerColumnCount = 0
    private(set) var dataRowCount = 0
    /// Whether any byte was more than whitespace (a tab delimiter is whitespace here): a file of
    /// only whitespace is empty even where tabs would make it a row of empty cells.
    private(set) var sawText = false

    init(delimiter: UInt8, maxRows: Int, rejectsNUL: Bool) {
        self.delimiter = delimiter
        self.maxRows = maxRows
        self.rejectsNUL = rejectsNUL
        var stops: UInt64 = 0
        for byte in [delimiter, 0x22, 0x0D, 0x0A, 0x20, 0x09] { stops |= 1 << UInt64(byte) }
        if rejectsNUL { stops |= 1 }
        self.stops = stops
    }

    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>) throws(CSVError) {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        var index = 0
        while index < count && !headerFound {
            guard headerBytes.count < Self.maxHeaderBytes else { throw CSVError.headerTooLong(limit: Self.maxHeaderBytes) }
            let byte = base[index]
            headerBytes.append(byte)
            index += 1
            try step(byte)
        }
        while index < count {
            if state == .quoted {
                // Inside quotes only the closing quote matters.
                while index < count && base[index] != 0x22 {
                    if base[index] == 0 && rejectsNUL { throw CSVError.containsNUL }
                    index += 1
                }
                guard index < count else { break }
            }
            let byte = base[index]
            index += 1
            try step(byte)
        }
    }

    /// Counts a last record that has no line break.
    mutating func finish() throws(CSVError) {
        if hasContent { try endRecord() }
    }

    @inline(__always)
    private mutating func step(_ byte: UInt8) throws(CSVError) {
        switch state {
        case .quoted:
            if byte == 0x22 { state = .quotedQuote }
            if byte == 0 && rejectsNUL { throw CSVError.containsNUL }
            return
        case .quotedQuote:
            if byte == 0x22 {
                state = .quoted
                return
            }
        case .fieldStart:
            if byte == 0x22 {
                state = .quoted
                hasContent = true
                sawText = true
                return
            }
        case .unquoted:
            break
        }
        guard byte < 64 && (stops &>> UInt64(byte)) & 1 != 0 else {
            hasContent = true
            sawText = true
            state = .unquoted
            return
        }
        switch byte {
        case delimiter:
            columns += 1
            hasContent = true
            if byte != 0x09 { sawText = true }
            state = .fieldStart
        case 0x0A, 0x0D:
            try endRecord()
        case 0x20, 0x09:
            state = .unquoted
        case 0:
            throw CSVError.containsNUL
        default:
            // A stray quote inside an unquoted field is data.
            hasContent = true
            sawText = true
            state = .unquoted
        }
    }

    private mutating func endRecord() throws(CSVError) {
        if hasContent {
            if headerFound {
                dataRowCount += 1
                if dataRowCount > maxRows { throw CSVError.tooManyRows(limit: maxRows) }
            } else {
                headerFound = true
                headerColumnCount = columns
            }
        } else if !headerFound {
            headerBytes.removeAll(keepingCapacity: true)
        }
        hasContent = false
        columns = 1
        state = .fieldStart
    }
}
