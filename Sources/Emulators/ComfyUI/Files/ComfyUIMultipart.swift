import Foundation

/// A `multipart/form-data` body split into its parts, as aiohttp's `request.post()` reads it.
enum ComfyUIMultipart {
    struct Part {
        var name: String
        var filename: String?
        var data: [UInt8]

        var text: String { String(decoding: data, as: UTF8.self) }
    }

    struct Malformed: Error {
        var reason: String
    }

    /// The boundary of a `multipart/form-data; boundary=…` content type.
    static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws(Malformed) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        guard var position = find(delimiter, in: body, from: 0) else { throw Malformed(reason: "no boundary in the body") }
        var parts: [Part] = []
        while true {
            position += delimiter.count
            if body.count >= position + 2, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") {
                return parts
            }
            guard body.count >= position + 2, body[position] == 0x0D, body[position + 1] == 0x0A else {
                throw Malformed(reason: "a boundary not followed by CRLF")
            }
            position += 2
            guard let headerEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: position) else {
                throw Malformed(reason: "a part without the blank line after its headers")
            }
            let headers = String(decoding: body[position..<headerEnd], as: UTF8.self)
            let dataStart = headerEnd + 4
            guard let next = find([0x0D, 0x0A] + delimiter, in: body, from: dataStart) else {
                throw Malformed(reason: "a part without a closing boundary")
            }
            var name: String?
            var filename: String?
            for line in headers.split(separator: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1)
                guard pair.count == 2, pair[0].lowercased() == "content-disposition" else { continue }
                name = parameter("name", in: String(pair[1]))
                filename = parameter("filename", in: String(pair[1]))
            }
            guard let name else { throw Malformed(reason: "a part without a name") }
            parts.append(Part(name: name, filename: filename, data: Array(body[dataStart..<next])))
            position = next + 2
        }
    }

    /// `key="value"` (or unquoted) in a Content-Disposition header.
    private static func parameter(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = start
        let first = needle[0]
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
