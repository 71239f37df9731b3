import Foundation

/// The safetensors header check: an 8-byte little-endian header length, then that many bytes
/// of a JSON object (tensor name → dtype, shape, data offsets; plus `__metadata__`).
public enum SafetensorsHeader {
    /// safetensors itself refuses headers over 100 MB.
    public static let maxHeaderBytes: UInt64 = 100_000_000

    /// Checks the first bytes of a file of `fileSize` bytes; `readHeader(offset, count)` reads.
    /// Returns the number of tensors the header describes.
    public static func check(fileSize: Int64, read: (Int64, Int) throws -> [UInt8]) throws -> Int {
        guard fileSize >= 10 else {
            throw HydrationError(.invalidSafetensors, "\(fileSize) bytes is too short for a safetensors file")
        }
        let prefix = try read(0, 8)
        guard prefix.count == 8 else { throw HydrationError(.invalidSafetensors, "cannot read the header length") }
        var length: UInt64 = 0
        for (index, byte) in prefix.enumerated() { length |= UInt64(byte) << (8 * UInt64(index)) }
        guard length >= 2, length <= maxHeaderBytes, length <= UInt64(fileSize - 8) else {
            throw HydrationError(
                .invalidSafetensors, "header length \(length) is out of bounds for a file of \(fileSize) bytes")
        }
        let header = try read(8, Int(length))
        guard header.count == Int(length), header.first == UInt8(ascii: "{") else {
            throw HydrationError(.invalidSafetensors, "the header does not start with a JSON object")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(header), options: [])
        } catch {
            throw HydrationError(.invalidSafetensors, "the header is not valid JSON: \(error.localizedDescription)")
        }
        guard let tensors = object as? [String: Any] else {
            throw HydrationError(.invalidSafetensors, "the header is not a JSON object")
        }
        return tensors.keys.filter { $0 != "__metadata__" }.count
    }
}
