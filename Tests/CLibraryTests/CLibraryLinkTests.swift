import CCurl
import CLibpng
import Testing

/// The C libraries the gateway and workers build on link and answer through their shims.
@Suite("C libraries")
struct CLibraryLinkTests {
    @Test("libcurl: typed setopt wrappers reach the variadic API")
    func curl() throws {
        let version = try #require(velocity_curl_version_info())
        #expect(version.pointee.version_num >= 0x075800, "libcurl 7.88 or later")
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(velocity_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 1_000) == CURLE_OK)
        #expect(velocity_curl_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:1/") == CURLE_OK)
        // Nothing listens on port 1: a clean, typed failure rather than a crash.
        #expect(curl_easy_perform(handle) == CURLE_COULDNT_CONNECT)
    }

    @Test("libpng: the simplified API round-trips an image without setjmp")
    func png() throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = 3
        image.height = 2
        image.format = velocity_png_format_rgba
        let pixels: [UInt8] = (0..<24).map { UInt8($0 * 10) }
        var size = 0
        #expect(png_image_write_to_memory(&image, nil, &size, 0, pixels, 0, nil) != 0)
        var encoded = [UInt8](repeating: 0, count: size)
        #expect(png_image_write_to_memory(&image, &encoded, &size, 0, pixels, 0, nil) != 0)
        png_image_free(&image)

        var decoded = png_image()
        decoded.version = UInt32(PNG_IMAGE_VERSION)
        #expect(png_image_begin_read_from_memory(&decoded, encoded, size) != 0)
        #expect(decoded.width == 3 && decoded.height == 2)
        decoded.format = velocity_png_format_rgba
        var buffer = [UInt8](repeating: 0, count: velocity_png_image_size(&decoded))
        #expect(png_image_finish_read(&decoded, nil, &buffer, 0, nil) != 0)
        #expect(buffer == pixels)

        var garbage = png_image()
        garbage.version = UInt32(PNG_IMAGE_VERSION)
        let notPNG: [UInt8] = Array("definitely not a png".utf8)
        #expect(png_image_begin_read_from_memory(&garbage, notPNG, notPNG.count) == 0)
        #expect(velocity_png_image_failed(&garbage) != 0)
        png_image_free(&garbage)
    }
}
