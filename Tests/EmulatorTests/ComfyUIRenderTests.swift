import Emulators
import Images
import Testing

@Suite("ComfyUI emulator render transform")
struct ComfyUIRenderTests {
    @Test("the transform matches hand-computed values")
    func handComputed() {
        // seed 0x030201: tint (1, 2, 3). v = 10, denoise 1: target = (245 * 3 + 1) / 4 = 184.
        #expect(ComfyUIRender.tint(seed: 0x030201) == (1, 2, 3))
        #expect(ComfyUIRender.weight(denoise: 1) == 256)
        #expect(ComfyUIRender.channel(10, tint: 1, weight: 256) == 184)
        // denoise 0 leaves the value; 0.5: (10 * 128 + 184 * 128 + 128) >> 8 = 97.
        #expect(ComfyUIRender.channel(10, tint: 1, weight: 0) == 10)
        #expect(ComfyUIRender.channel(10, tint: 1, weight: ComfyUIRender.weight(denoise: 0.5)) == 97)
        let pixels = PNGCodec.Pixels(width: 1, height: 1, channels: 4, bytes: [10, 20, 30, 77])
        // g: (235 * 3 + 2) / 4 = 176; b: (225 * 3 + 3) / 4 = 169; alpha untouched.
        #expect(ComfyUIRender.render(pixels, seed: 0x030201, denoise: 1).bytes == [184, 176, 169, 77])
    }

    @Test("VAEEncode's crop keeps the centre, down to multiples of 8")
    func crop() {
        let pixels = TestImages.gradient(width: 19, height: 10)
        let cropped = ComfyUIRender.vaeCrop(pixels)
        #expect(cropped.width == 16 && cropped.height == 8)
        // Offsets (19 % 8) / 2 = 1 and (10 % 8) / 2 = 1.
        #expect(cropped.pixel(x: 0, y: 0) == pixels.pixel(x: 1, y: 1))
        #expect(cropped.pixel(x: 15, y: 7) == pixels.pixel(x: 16, y: 8))
    }

    @Test("every 8-bit value survives ComfyUI's load/save float conversion")
    func byteRoundTrip() {
        let bytes = (0...255).flatMap { [UInt8($0), UInt8($0), UInt8($0)] }
        let pixels = PNGCodec.Pixels(width: 256, height: 1, channels: 3, bytes: bytes)
        #expect(ComfyUIImage(pixels: pixels).pixels == pixels)
    }
}
