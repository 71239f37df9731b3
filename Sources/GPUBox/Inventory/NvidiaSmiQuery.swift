/// The one `nvidia-smi` query the agent runs, and the parser of its output.
///
/// `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits` prints one line per GPU with
/// the fields in the order asked, separated by `, `; memory in MiB, utilization in percent,
/// temperature in °C. A field the driver cannot read prints as a bracketed note such as `[N/A]`.
public enum NvidiaSmiQuery {
    /// The fields, in the order `parse` expects them.
    public static let fields = [
        "index", "uuid", "name", "memory.total", "memory.used", "utilization.gpu", "temperature.gpu",
        "ecc.errors.uncorrected.volatile.total", "pci.bus_id",
    ]

    /// The arguments after the executable.
    public static let arguments = ["--query-gpu=\(fields.joined(separator: ","))", "--format=csv,noheader,nounits"]

    /// Parses the whole output; throws naming the first line that is not a GPU.
    public static func parse(_ output: String) throws(GPUInventoryError) -> [GPUInfo] {
        var gpus: [GPUInfo] = []
        for (number, rawLine) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \r\t")
            if line.isEmpty { continue }
            gpus.append(try parseLine(line, lineNumber: number + 1))
        }
        return gpus
    }

    static func parseLine(_ line: String, lineNumber: Int) throws(GPUInventoryError) -> GPUInfo {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: " ") }
        guard cells.count == fields.count else {
            throw GPUInventoryError(
                .unreadableOutput,
                "nvidia-smi line \(lineNumber) has \(cells.count) fields, expected \(fields.count): \(line)")
        }
        guard let index = Int(cells[0]) else {
            throw GPUInventoryError(.unreadableOutput, "nvidia-smi line \(lineNumber) has no GPU index: \(line)")
        }
        guard cells[1].hasPrefix("GPU-") || cells[1].hasPrefix("MIG-") else {
            throw GPUInventoryError(.unreadableOutput, "nvidia-smi line \(lineNumber) has no GPU uuid: \(line)")
        }
        return GPUInfo(
            index: index, uuid: cells[1], name: cells[2], memoryTotalMiB: number(cells[3]),
            memoryUsedMiB: number(cells[4]), utilizationPercent: number(cells[5]),
            temperatureCelsius: number(cells[6]), uncorrectedECCErrors: number(cells[7]),
            pciBusID: cells[8].hasPrefix("[") ? nil : cells[8])
    }

    /// A number, or nil for nvidia-smi's bracketed notes (`[N/A]`, `[Not Supported]`, `[Unknown Error]`).
    static func number(_ cell: String) -> Int? {
        if let value = Int(cell) { return value }
        if let value = Double(cell), value.isFinite { return Int(value.rounded()) }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
