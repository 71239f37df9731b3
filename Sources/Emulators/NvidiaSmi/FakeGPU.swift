/// One GPU of `FakeNvidiaSmi`, with the faults a test can inject.
public struct FakeGPU: Codable, Sendable, Equatable {
    public var index: Int
    public var uuid: String
    public var name: String
    public var memoryTotalMiB: Int
    public var memoryUsedMiB: Int
    public var utilizationPercent: Int
    public var temperatureCelsius: Int
    /// Volatile uncorrected ECC errors; set above zero to inject a memory fault.
    public var uncorrectedECCErrors: Int
    /// The GPU fell off the bus: nvidia-smi prints an error for it instead of a line.
    public var lost: Bool

    public init(
        index: Int, uuid: String, name: String = "NVIDIA L4", memoryTotalMiB: Int = 23034, memoryUsedMiB: Int = 0,
        utilizationPercent: Int = 0, temperatureCelsius: Int = 34, uncorrectedECCErrors: Int = 0, lost: Bool = false
    ) {
        self.index = index
        self.uuid = uuid
        self.name = name
        self.memoryTotalMiB = memoryTotalMiB
        self.memoryUsedMiB = memoryUsedMiB
        self.utilizationPercent = utilizationPercent
        self.temperatureCelsius = temperatureCelsius
        self.uncorrectedECCErrors = uncorrectedECCErrors
        self.lost = lost
    }

    /// An idle L4 with a uuid derived from its index, stable across runs.
    public static func l4(index: Int) -> FakeGPU {
        let hex = String(index, radix: 16)
        let tail = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return FakeGPU(index: index, uuid: "GPU-5e1f0c4a-7d6b-4c1e-9a3f-\(tail)")
    }

    var pciBusID: String {
        let bus = String(index + 1, radix: 16, uppercase: true)
        return "00000000:" + (bus.count == 1 ? "0" + bus : bus) + ":00.0"
    }

    enum CodingKeys: String, CodingKey {
        case index, uuid, name, lost
        case memoryTotalMiB = "memory_total_mib"
        case memoryUsedMiB = "memory_used_mib"
        case utilizationPercent = "utilization_percent"
        case temperatureCelsius = "temperature_celsius"
        case uncorrectedECCErrors = "uncorrected_ecc_errors"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let index = try container.decode(Int.self, forKey: .index)
        let base = FakeGPU.l4(index: index)
        self.index = index
        uuid = try container.decodeIfPresent(String.self, forKey: .uuid) ?? base.uuid
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? base.name
        memoryTotalMiB = try container.decodeIfPresent(Int.self, forKey: .memoryTotalMiB) ?? base.memoryTotalMiB
        memoryUsedMiB = try container.decodeIfPresent(Int.self, forKey: .memoryUsedMiB) ?? 0
        utilizationPercent = try container.decodeIfPresent(Int.self, forKey: .utilizationPercent) ?? 0
        temperatureCelsius = try container.decodeIfPresent(Int.self, forKey: .temperatureCelsius) ?? base.temperatureCelsius
        uncorrectedECCErrors = try container.decodeIfPresent(Int.self, forKey: .uncorrectedECCErrors) ?? 0
        lost = try container.decodeIfPresent(Bool.self, forKey: .lost) ?? false
    }

    /// The CSV header of a query field as the real tool prints it, or nil for a field the fake
    /// does not know.
    static func header(for field: String, units: Bool) -> String? {
        switch field {
        case "index": "index"
        case "uuid": "uuid"
        case "name": "name"
        case "memory.total": units ? "memory.total [MiB]" : "memory.total"
        case "memory.used": units ? "memory.used [MiB]" : "memory.used"
        case "memory.free": units ? "memory.free [MiB]" : "memory.free"
        case "utilization.gpu": units ? "utilization.gpu [%]" : "utilization.gpu"
        case "temperature.gpu": "temperature.gpu"
        case "ecc.errors.uncorrected.volatile.total": "ecc.errors.uncorrected.volatile.total"
        case "pci.bus_id": "pci.bus_id"
        default: nil
        }
    }

    func value(for field: String, units: Bool) -> String {
        switch field {
        case "index": "\(index)"
        case "uuid": uuid
        case "name": name
        case "memory.total": units ? "\(memoryTotalMiB) MiB" : "\(memoryTotalMiB)"
        case "memory.used": units ? "\(memoryUsedMiB) MiB" : "\(memoryUsedMiB)"
        case "memory.free": units ? "\(memoryTotalMiB - memoryUsedMiB) MiB" : "\(memoryTotalMiB - memoryUsedMiB)"
        case "utilization.gpu": units ? "\(utilizationPercent) %" : "\(utilizationPercent)"
        case "temperature.gpu": "\(temperatureCelsius)"
        case "ecc.errors.uncorrected.volatile.total": "\(uncorrectedECCErrors)"
        case "pci.bus_id": pciBusID
        default: "[N/A]"
        }
    }
}
