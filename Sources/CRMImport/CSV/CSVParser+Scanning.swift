/// The byte loop: runs of plain bytes are found with a bit-set test and copied into the
/// record's buffer in one go; only delimiters, quotes and line breaks take a decision.
extension CSVParser {
    static let quote = UInt8(ascii: "\"")
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let quotedStops: UInt64 = 1 << UInt64(quote) | 1 << UInt64(cr) | 1 << UInt64(lf)

    static let quotedFlag: UInt8 = 1
    static let strayQuoteFlag: UInt8 = 2
    static let textAfterQuoteFlag: UInt8 = 4
    static let cellTooLongFlag: UInt8 = 8
    static let unterminatedFlag: UInt8 = 16
    /// The flags that are issues (all but `quotedFlag`).
    static let issueFlags: UInt8 = 0xFE

    /// Scans the next part of the UTF-8 stream.
    mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, _ emit: (CSVRecord) throws -> Void) rethrows {
        guard let bytes = buffer.baseAddress, !buffer.isEmpty else { return }
        let count = buffer.count
        var index = 0
        if pendingCR {
            pendingCR = false
            if bytes[0] == Self.lf { index = 1 }
            if pendingEmit {
                pendingEmit = false
                let stream = streamOffset + Int64(index)
                try emitRecord(endOffset: rawOffset(atStream: stream, in: buffer), endStream: stream, emit)
            }
        }
        let delimiter = delimiterByte
        let unquotedStops = self.unquotedStops
        while index < count {
            switch state {
            case .fieldStart:
                if bytes[index] == Self.quote {
                    state = .quoted
                    fieldFlags |= Self.quotedFlag
                    quotedCR = false
                    index += 1
                } else {
                    state = .unquoted
                }
            case .unquoted:
                var end = index
                while end < count {
                    let byte = bytes[end]
                    if byte < 64 && (unquotedStops &>> UInt64(byte)) & 1 != 0 { break }
                    end += 1
                }
                if end > index { appendRun(bytes + index, count: end - index) }
                guard end < count else {
                    index = count
                    continue
                }
                let byte = bytes[end]
                index = end + 1
                if byte == delimiter {
                    endField()
                    state = .fieldStart
                } else if byte == Self.quote {
                    fieldFlags |= Self.strayQuoteFlag
                    appendByte(byte)
                } else {
                    endField()
                    state = .fieldStart
                    try endRecord(terminator: byte, buffer: buffer, index: &index, emit)
                }
            case .quoted:
                var end = index
                while end < count {
                    let byte = bytes[end]
                    if byte < 64 && (Self.quotedStops &>> UInt64(byte)) & 1 != 0 { break }
                    end += 1
                }
                if end > index {
                    appendRun(bytes + index, count: end - index)
                    quotedCR = false
                }
                guard end < count else {
                    index = count
                    continue
                }
                let byte = bytes[end]
                index = end + 1
                if byte == Self.quote {
                    state = .quotedQuote
                } else {
                    // A line break inside quotes is data, but still a physical line.
                    if byte == Self.cr || !quotedCR { line += 1 }
                    quotedCR = byte == Self.cr
                    appendByte(byte)
                }
            case .quotedQuote:
                let byte = bytes[index]
                if byte == Self.quote {
                    appendByte(byte)
                    state = .quoted
                    quotedCR = false
                    index += 1
                } else if byte == delimiter {
                    endField()
                    state = .fieldStart
                    index += 1
                } else if byte == Self.cr || byte == Self.lf {
                    index += 1
                    endField()
                    state = .fieldStart
                    try endRecord(terminator: byte, buffer: buffer, index: &index, emit)
                } else {
                    // `"abc"x`: the rest of the cell is read as unquoted data.
                    fieldFlags |= Self.textAfterQuoteFlag
                    state = .unquoted
                }
            }
        }
        let end = streamOffset + Int64(count)
        if !dialect.encoding.passesThrough { countRaw(to: end, in: buffer) }
        streamOffset = end
    }

    /// Ends the record whose line break `terminator` was just read (`index` is past it).
    @inline(__always)
    mutating func endRecord(
        terminator: UInt8,
        buffer: UnsafeBufferPointer<UInt8>,
        index: inout Int,
        _ emit: (CSVRecord) throws -> Void
    ) rethrows {
        line += 1
        if terminator == Self.cr {
            if index < buffer.count {
                if buffer[index] == Self.lf { index += 1 }
            } else {
                pendingCR = true
            }
        }
        if isBlankRecord {
            resetRecord()
        } else if pendingCR {
            pendingEmit = true
        } else {
            let stream = streamOffset + Int64(index)
            try emitRecord(endOffset: rawOffset(atStream: stream, in: buffer), endStream: stream, emit)
        }
    }

    @inline(__always)
    mutating func appendRun(_ start: UnsafePointer<UInt8>, count: Int) {
        fieldLength &+= count
        let room = maxCellBytes - (fieldBytes.count - fieldStart)
        if count <= room {
            fieldBytes.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
        } else {
            if room > 0 { fieldBytes.append(contentsOf: UnsafeBufferPointer(start: start, count: room)) }
            fieldFlags |= Self.cellTooLongFlag
        }
    }

    @inline(__always)
    mutating func appendByte(_ byte: UInt8) {
        fieldLength &+= 1
        if fieldBytes.count - fieldStart < maxCellBytes {
            fieldBytes.append(byte)
        } else {
            fieldFlags |= Self.cellTooLongFlag
        }
    }

    @inline(__always)
    mutating func endField() {
        if fieldFlags & Self.cellTooLongFlag != 0 { dropCutCharacter() }
        if fieldEnds.count < maxColumns {
            if fieldFlags & Self.issueFlags != 0 {
                fieldIssues.append(FieldIssue(column: fieldEnds.count, flags: fieldFlags, length: fieldLength))
            }
            fieldEnds.append(fieldBytes.count)
        } else {
            droppedFields += 1
            fieldBytes.removeSubrange(fieldStart...)
        }
        recordFlags |= fieldFlags
        fieldFlags = 0
        fieldLength = 0
        fieldStart = fieldBytes.count
    }

    /// Removes a character the cell's cut at `maxCellBytes` left incomplete.
    mutating func dropCutCharacter() {
        var lead = fieldBytes.count - 1
        while lead > fieldStart && lead > fieldBytes.count - 4 && fieldBytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= fieldStart else { return }
        let byte = fieldBytes[lead]
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
        if fieldBytes.count - lead < length { fieldBytes.removeSubrange(lead...) }
    }

    /// Whether the record just ended is a blank line: one unquoted cell of spaces and tabs.
    var isBlankRecord: Bool {
        guard fieldEnds.count == 1, droppedFields == 0, recordFlags == 0 else { return false }
        return fieldBytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    mutating func resetRecord() {
        fieldBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        fieldIssues.removeAll(keepingCapacity: true)
        fieldStart = 0
        fieldLength = 0
        fieldFlags = 0
        recordFlags = 0
        droppedFields = 0
        state = .fieldStart
        recordLine = line
    }

    /// The raw file offset of UTF-8 stream offset `stream`, which lies in `buffer`.
    @inline(__always)
    mutating func rawOffset(atStream stream: Int64, in buffer: UnsafeBufferPointer<UInt8>) -> Int64 {
        let byteOrderMark = Int64(transcoder.byteOrderMarkLength)
        if dialect.encoding.passesThrough { return startOffset + byteOrderMark + stream }
        countRaw(to: stream, in: buffer)
        return startOffset + byteOrderMark + countedRaw
    }

    /// Maps converted UTF-8 back to raw bytes up to `stream`: each Windows-1252 byte is one
    /// character; each UTF-16 code unit (a lone surrogate included) is one character of two
    /// bytes, a 4-byte character being a surrogate pair.
    mutating func countRaw(to stream: Int64, in buffer: UnsafeBufferPointer<UInt8>) {
        guard stream > countedStream else { return }
        let from = Int(countedStream - streamOffset)
        let to = Int(stream - streamOffset)
        var raw = 0
        if dialect.encoding == .windows1252 {
            for byte in buffer[from..<to] where byte & 0xC0 != 0x80 { raw += 1 }
        } else {
            for byte in buffer[from..<to] where byte & 0xC0 != 0x80 { raw += byte >= 0xF0 ? 4 : 2 }
        }
        countedRaw += Int64(raw)
        countedStream = stream
    }
}

extension CSVEncoding {
    /// Whether the parser reads the file's own bytes (UTF-8), not a conversion of them.
    var passesThrough: Bool { self == .utf8 || self == .utf8BOM }
}
