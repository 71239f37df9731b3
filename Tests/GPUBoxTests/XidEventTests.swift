import Foundation
import GPUBox
import Testing

@Suite("Xid events from the kernel log")
struct XidEventTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kernel-xid.log")

    @Test("kmsg, dmesg and journalctl lines give the GPU's PCI address, the code and the driver's words")
    func parsesEveryFormat() throws {
        let lines = try String(contentsOf: Self.fixture, encoding: .utf8).split(separator: "\n")
        let events = lines.compactMap { XidEvent(line: $0) }
        #expect(events.map(\.code) == [13, 79, 48, 94, 31])
        #expect(events.map(\.pciAddress) == ["0000:01:00", "0000:3b:00", "0000:5e:00", "0000:01:00", "0000:01:00"])
        #expect(events[1].detail == "pid='<unknown>', name=<unknown>, GPU has fallen off the bus.")
        #expect(events.filter(\.isFatal).map(\.code) == [79, 48, 94])
    }

    @Test("nvidia-smi's pci.bus_id and the kernel's address normalize alike; junk does not")
    func normalizes() {
        #expect(XidEvent.normalize(pciAddress: "00000000:3B:00.0") == "0000:3b:00")
        #expect(XidEvent.normalize(pciAddress: "0000:3b:00") == "0000:3b:00")
        #expect(XidEvent.normalize(pciAddress: "00000001:01:1F.0") == "0001:01:1f")
        #expect(XidEvent.normalize(pciAddress: "garbage") == nil)
        #expect(XidEvent(line: "NVRM: Xid (PCI:0000:01:00): many, words") == nil)
    }

    @Test("the fatal set is the one the operators' runbooks drain on")
    func fatalCodes() {
        #expect(XidEvent.fatalCodes == [48, 63, 64, 74, 79, 94, 95])
    }
}
