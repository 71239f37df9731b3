extension CSVTranscoder {
    private static let utf8ByteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    mutating func convertUTF8(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard atStartOfFile else {
            validateUTF8(input)
            return nil
        }
        // Hold the first bytes until they tell a byte-order mark from text.
        let taken = min(3 - held.count, input.count)
        held.append(contentsOf: UnsafeBufferPointer(rebasing: input[0..<taken]))
        if held.count < 3 && Self.utf8ByteOrderMark.starts(with: held) { return [] }
        atStartOfFile = false
        var output: [UInt8]
        if held == Self.utf8ByteOrderMark {
            byteOrderMarkLength = 3
            output = []
        } else {
            output = held
        }
        held = []
        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[taken...]))
        output.withUnsafeBufferPointer { validateUTF8($0) }
        return output
    }

    mutating func finishUTF8() -> [UInt8] {
        var output: [UInt8] = []
        if atStartOfFile {
            // A file of one or two bytes that began like a byte-order mark: they are text.
            atStartOfFile = false
            output = held
            held = []
            output.withUnsafeBufferPointer { validateUTF8($0) }
        }
        let before = validator.errorCount
        validator.finish(into: &undecodableOffsets)
        settleValidation(newErrors: validator.errorCount - before)
        return output
    }

    private mutating func validateUTF8(_ bytes: UnsafeBufferPointer<UInt8>) {
        let before = validator.errorCount
        validator.validate(bytes, into: &undecodableOffsets)
        outputCount += Int64(bytes.count)
        settleValidation(newErrors: validator.errorCount - before)
    }

    private mutating func settleValidation(newErrors: Int) {
        guard newErrors > 0 else { return }
        undecodableCount += newErrors
        if !recordsOffsets { undecodableOffsets.removeAll(keepingCapacity: true) }
    }
}
