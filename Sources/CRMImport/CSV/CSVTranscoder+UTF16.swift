extension CSVTranscoder {
    mutating func convertUTF16(_ input: UnsafeBufferPointer<UInt8>, bigEndian: Bool) -> [UInt8] {
        let available = held.count + input.count
        // Each code unit gives at most 3 bytes, plus a U+FFFD for a surrogate left waiting.
        let capacity = available / 2 * 3 + 3
        var carried: UInt8? = held.first
        held.removeAll()
        var high = highSurrogate
        var atStart = atStartOfFile
        var skippedByteOrderMark = false
        var replacements: [Int] = []
        var index = 0
        let output = Self.makeOutput(capacity: capacity) { sink in
            while true {
                let first: UInt8
                let second: UInt8
                if let byte = carried {
                    guard index < input.count else { break }
                    first = byte
                    second = input[index]
                    carried = nil
                    index += 1
                } else {
                    guard index + 1 < input.count else { break }
                    first = input[index]
                    second = input[index + 1]
                    index += 2
                }
                let unit = bigEndian ? UInt16(first) << 8 | UInt16(second) : UInt16(second) << 8 | UInt16(first)
                if atStart {
                    atStart = false
                    if unit == 0xFEFF {
                        skippedByteOrderMark = true
                        continue
                    }
                }
                if high != 0 {
                    if unit & 0xFC00 == 0xDC00 {
                        sink.put(0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00))
                        high = 0
                        continue
                    }
                    replacements.append(sink.count)
                    sink.put(0xFFFD)
                    high = 0
                }
                switch unit & 0xFC00 {
                case 0xD800: high = unit
                case 0xDC00:
                    replacements.append(sink.count)
                    sink.put(0xFFFD)
                default: sink.put(UInt32(unit))
                }
            }
        }
        if let byte = carried {
            held = [byte]
        } else if index < input.count {
            held = [input[index]]
        }
        atStartOfFile = atStart
        if skippedByteOrderMark { byteOrderMarkLength = 2 }
        highSurrogate = high
        for position in replacements { noteUndecodable(at: outputCount + Int64(position)) }
        outputCount += Int64(output.count)
        return output
    }

    mutating func finishUTF16() -> [UInt8] {
        var pieces = 0
        if highSurrogate != 0 { pieces += 1 }
        if !held.isEmpty { pieces += 1 }
        highSurrogate = 0
        held.removeAll()
        var output: [UInt8] = []
        for _ in 0..<pieces {
            noteUndecodable(at: outputCount + Int64(output.count))
            output.append(contentsOf: [0xEF, 0xBF, 0xBD])
        }
        outputCount += Int64(output.count)
        return output
    }
}
