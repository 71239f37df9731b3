/// One NVIDIA Xid error as the driver writes it to the kernel log:
/// `NVRM: Xid (PCI:0000:3b:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.`
///
/// The same text arrives through `/dev/kmsg` (`6,1234,5678901,-;NVRM: …`), `dmesg`
/// (`[12345.678] NVRM: …`) and `journalctl -k` (`Dec 06 02:00:00 host kernel: NVRM: …`); the
/// parser looks for the `NVRM: Xid` part wherever it sits.
public struct XidEvent: Sendable, Equatable, CustomStringConvertible {
    /// The GPU's PCI address, normalized (`0000:3b:00`) so it compares with nvidia-smi's
    /// `pci.bus_id` (`00000000:3B:00.0`).
    public var pciAddress: String
    public var code: Int
    /// The driver's words after the code.
    public var detail: String

    /// The Xids after which a GPU must not get work until an operator has looked at it:
    /// 48 double-bit ECC error, 63 and 64 row remapping pending or failed, 74 NVLink error,
    /// 79 fallen off the bus, 94 contained and 95 uncontained ECC errors.
    public static let fatalCodes: Set<Int> = [48, 63, 64, 74, 79, 94, 95]

    public var isFatal: Bool { Self.fatalCodes.contains(code) }

    public var description: String { "Xid \(code) on PCI \(pciAddress): \(detail)" }

    public init(pciAddress: String, code: Int, detail: String) {
        self.pciAddress = pciAddress
        self.code = code
        self.detail = detail
    }

    /// The event in a kernel log line, or nil for any other line.
    public init?(line: some StringProtocol) {
        guard let marker = line.range(of: "NVRM: Xid (PCI:") else { return nil }
        let rest = line[marker.upperBound...]
        guard let close = rest.firstIndex(of: ")"), let address = Self.normalize(pciAddress: rest[..<close]) else {
            return nil
        }
        var after = rest[rest.index(after: close)...].drop { $0 == ":" || $0 == " " }
        let digits = after.prefix { $0.isASCII && $0.isNumber }
        guard let code = Int(digits) else { return nil }
        after = after.dropFirst(digits.count).drop { $0 == "," || $0 == " " }
        self.init(pciAddress: address, code: code, detail: String(after).trimmingTrailingWhitespace)
    }

    /// `domain:bus:device` in lowercase hex without leading zeros beyond the kernel's width,
    /// from either the kernel's `0000:3b:00` or nvidia-smi's `00000000:3B:00.0`.
    public static func normalize(pciAddress text: some StringProtocol) -> String? {
        let parts = text.split(separator: ":")
        guard parts.count == 3 else { return nil }
        let device = parts[2].split(separator: ".").first ?? parts[2]
        guard let domain = Int(parts[0], radix: 16), let bus = Int(parts[1], radix: 16), let slot = Int(device, radix: 16)
        else { return nil }
        func hex(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(hex(domain, width: 4)):\(hex(bus, width: 2)):\(hex(slot, width: 2))"
    }
}

extension String {
    fileprivate var trimmingTrailingWhitespace: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
