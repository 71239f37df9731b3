/// One GPU as `nvidia-smi` reports it at one moment.
///
/// Fields nvidia-smi cannot read (`[N/A]`, `[Not Supported]`, `[Unknown Error]`) are nil, so a
/// consumer can tell "zero" from "unknown".
public struct GPUInfo: Sendable, Equatable, Codable {
    public var index: Int
    public var uuid: String
    public var name: String
    public var memoryTotalMiB: Int?
    public var memoryUsedMiB: Int?
    /// Percent, 0–100.
    public var utilizationPercent: Int?
    public var temperatureCelsius: Int?
    /// Volatile uncorrected ECC errors since the driver loaded; any positive count means the
    /// GPU's memory can no longer be trusted.
    public var uncorrectedECCErrors: Int?
    /// `pci.bus_id` (`00000000:3B:00.0`): how the kernel's Xid messages name the GPU.
    public var pciBusID: String?

    public init(
        index: Int, uuid: String, name: String, memoryTotalMiB: Int? = nil, memoryUsedMiB: Int? = nil,
        utilizationPercent: Int? = nil, temperatureCelsius: Int? = nil, uncorrectedECCErrors: Int? = nil,
        pciBusID: String? = nil
    ) {
        self.pciBusID = pciBusID
        self.index = index
        self.uuid = uuid
        self.name = name
        self.memoryTotalMiB = memoryTotalMiB
        self.memoryUsedMiB = memoryUsedMiB
        self.utilizationPercent = utilizationPercent
        self.temperatureCelsius = temperatureCelsius
        self.uncorrectedECCErrors = uncorrectedECCErrors
    }

    enum CodingKeys: String, CodingKey {
        case index, uuid, name
        case memoryTotalMiB = "memory_total_mib"
        case memoryUsedMiB = "memory_used_mib"
        case utilizationPercent = "utilization_percent"
        case temperatureCelsius = "temperature_celsius"
        case uncorrectedECCErrors = "uncorrected_ecc_errors"
    }
}
