import VelocityTypes

/// Turns a number token in JSON's grammar into a `JSONValue` the way `JSONValue(parsing:)` does,
/// so that strict JSON reads the same through recovery.
///
/// An integer Int64 holds stays `.int`, also when written `2.5e3` or `100.0`; any other number
/// is the Double it reads as, `.int` when that is whole and Int64 holds it (`1e-400` is 0;
/// `4444444444444444444.44` is the whole number the Double holds: its fraction is below the
/// Double's resolution there), as `JSONValue(number:)` has it.
enum JSONNumberReading {
    /// The value of `token`; nil when it is beyond a Double's range.
    static func value(of token: ArraySlice<UInt8>, isPlainInteger: Bool) -> JSONValue? {
        let text = String(decoding: token, as: UTF8.self)
        if isPlainInteger, let integer = Int64(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else { return nil }
        if !isPlainInteger, let integer = exactInteger(token) { return .int(integer) }
        return JSONValue(number: double)
    }

    /// The integer `token` denotes exactly, fraction and exponent worked out in decimal;
    /// nil when it has a fractional part or Int64 does not hold it.
    static func exactInteger(_ token: ArraySlice<UInt8>) -> Int64? {
        var negative = false
        var significand: [UInt8] = []
        var fractionDigits = 0
        var exponent = 0
        var exponentNegative = false
        var part = 0  // 0: integer part, 1: fraction, 2: exponent
        for byte in token {
            switch byte {
            case ASCII.minus where part == 2: exponentNegative = true
            case ASCII.minus: negative = true
            case ASCII.plus: continue
            case ASCII.dot: part = 1
            case UInt8(ascii: "e"), UInt8(ascii: "E"): part = 2
            default:
                let digit = byte - ASCII.zero
                if part == 2 {
                    // Past this, the significand (shorter than the answer) decides alone.
                    if exponent < 1_000_000_000 { exponent = exponent * 10 + Int(digit) }
                } else {
                    if part == 1 { fractionDigits += 1 }
                    if !significand.isEmpty || digit != 0 { significand.append(digit) }
                }
            }
        }
        guard !significand.isEmpty else { return 0 }
        let scale = (exponentNegative ? -exponent : exponent) - fractionDigits
        if scale < 0 {
            guard -scale <= significand.count, significand.suffix(-scale).allSatisfy({ $0 == 0 }) else { return nil }
            significand.removeLast(-scale)
        } else {
            guard significand.count + scale <= 19 else { return nil }
            significand += repeatElement(0, count: scale)
        }
        guard significand.count <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for digit in significand {
            let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            magnitude = times10 + UInt64(digit)
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}
