import Testing
import VelocityTypes

@Suite("Hex")
struct HexTests {
    @Test("16 bytes are a UUID's text; another count is refused")
    func uuid() {
        let bytes: [UInt8] = [
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
        ]
        #expect(Hex.uuid(bytes) == "00112233-4455-6677-8899-aabbccddeeff")
        #expect(Hex.uuid(Array(bytes.prefix(15))) == nil)
        #expect(Hex.uuid(bytes + [0]) == nil)
    }
}
