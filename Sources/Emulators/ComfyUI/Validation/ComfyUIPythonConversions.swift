/// The Python built-ins ComfyUI's validation applies to widget values (`int(val)`,
/// `float(val)`, `str(val)`, `bool(val)`, `<`, `in`), with Python's results and error texts.
enum ComfyUIPythonConversions {
    typealias PythonException = ComfyUIPromptValidator.PythonException

    static func convert(_ value: ComfyJSON, to type: String) throws(PythonException) -> ComfyJSON {
        switch type {
        case "INT": return .int(try int(value))
        case "FLOAT": return .double(try float(value))
        case "STRING": return .string(value.pythonString)
        case "BOOLEAN": return .bool(value.isTruthy)
        default: return value
        }
    }

    /// Python's `int(value)`.
    static func int(_ value: ComfyJSON) throws(PythonException) -> Int128 {
        switch value {
        case .int(let integer): return integer
        case .bool(let flag): return flag ? 1 : 0
        case .double(let double):
            if double.isNaN { throw PythonException(type: "ValueError", message: "cannot convert float NaN to integer") }
            if double.isInfinite {
                throw PythonException(type: "OverflowError", message: "cannot convert float infinity to integer")
            }
            guard let integer = Int128(exactly: double.rounded(.towardZero)) else {
                throw PythonException(type: "OverflowError", message: "int too large to convert")
            }
            return integer
        case .string(let text):
            let digits = text.trimmingPythonWhitespace
            if isPythonIntegerLiteral(digits), let integer = Int128(digits.replacingUnderscores) { return integer }
            throw PythonException(
                type: "ValueError", message: "invalid literal for int() with base 10: \(ComfyJSON.pythonStringRepr(text))")
        default:
            throw PythonException(
                type: "TypeError",
                message: "int() argument must be a string, a bytes-like object or a real number, not '\(typeName(value))'")
        }
    }

    /// Python's `float(value)`.
    static func float(_ value: ComfyJSON) throws(PythonException) -> Double {
        switch value {
        case .int(let integer): return Double(integer)
        case .bool(let flag): return flag ? 1 : 0
        case .double(let double): return double
        case .string(let text):
            let trimmed = text.trimmingPythonWhitespace
            let lowered = trimmed.lowercased()
            let unsigned = lowered.hasPrefix("-") || lowered.hasPrefix("+") ? String(lowered.dropFirst()) : lowered
            let negative = lowered.hasPrefix("-")
            if ["inf", "infinity"].contains(unsigned) { return negative ? -.infinity : .infinity }
            if unsigned == "nan" { return .nan }
            let plain = trimmed.replacingUnderscores
            if !trimmed.hasPrefix("_"), !trimmed.hasSuffix("_"), !trimmed.contains("__"),
                plain.allSatisfy({ "0123456789+-.eE".contains($0) }), let double = Double(plain)
            {
                return double
            }
            throw PythonException(
                type: "ValueError", message: "could not convert string to float: \(ComfyJSON.pythonStringRepr(text))")
        default:
            throw PythonException(
                type: "TypeError", message: "float() argument must be a string or a real number, not '\(typeName(value))'")
        }
    }

    /// Python's `a < b` for the numbers validation compares; false when either is not a number.
    static func isLess(_ lhs: ComfyJSON, than rhs: ComfyJSON) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a < b
        default:
            guard let a = number(lhs), let b = number(rhs) else { return false }
            return a < b
        }
    }

    /// Python's `==` between a combo choice and a value.
    static func equal(_ lhs: ComfyJSON, _ rhs: ComfyJSON) -> Bool {
        if let a = number(lhs), let b = number(rhs) { return a == b }
        return lhs == rhs
    }

    static func typeName(_ value: ComfyJSON) -> String {
        switch value {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        }
    }

    private static func number(_ value: ComfyJSON) -> Double? {
        switch value {
        case .int(let integer): return Double(integer)
        case .double(let double): return double
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    /// `[+-]digits` with single underscores between digits, as `int(str)` accepts.
    private static func isPythonIntegerLiteral(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        guard let first = body.first, let last = body.last, first.isASCII, first.isNumber, last.isASCII, last.isNumber
        else { return false }
        return !body.contains("__") && body.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "_" }
    }
}

extension String {
    fileprivate var trimmingPythonWhitespace: String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }

    fileprivate var replacingUnderscores: String { filter { $0 != "_" } }
}
