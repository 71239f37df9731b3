import Foundation

/// The model-free image nodes' arithmetic, after ComfyUI's torch code. `nearest-exact`,
/// `bilinear` and `area` follow `torch.nn.functional.interpolate`; `bicubic` and `lanczos` are
/// approximated by `bilinear` (same sizes, slightly different pixels).
enum ComfyUIImageOps {
    /// A torch/PIL failure inside a node, raised as ComfyUI would report it.
    struct NodeFailure: Error {
        var type: String
        var message: String
    }

    static func invert(_ image: ComfyUIImage) -> ComfyUIImage {
        ComfyUIImage(width: image.width, height: image.height, values: image.values.map { 1.0 - $0 })
    }

    /// EmptyImage: a solid `color` (0xRRGGBB).
    static func solid(width: Int, height: Int, color: Int) -> ComfyUIImage {
        let channels: [Float] = [
            Float((color >> 16) & 0xFF) / 255.0, Float((color >> 8) & 0xFF) / 255.0, Float(color & 0xFF) / 255.0,
        ]
        var values = [Float](repeating: 0, count: width * height * 3)
        for index in 0..<width * height {
            values[index * 3] = channels[0]
            values[index * 3 + 1] = channels[1]
            values[index * 3 + 2] = channels[2]
        }
        return ComfyUIImage(width: width, height: height, values: values)
    }

    /// ImageCrop: `x`/`y` clamped inside the image, the rectangle clipped at its edges.
    static func crop(_ image: ComfyUIImage, width: Int, height: Int, x: Int, y: Int) -> ComfyUIImage {
        let left = min(x, image.width - 1)
        let top = min(y, image.height - 1)
        let right = min(image.width, left + width)
        let bottom = min(image.height, top + height)
        return region(image, left: left, top: top, width: max(0, right - left), height: max(0, bottom - top))
    }

    static func region(_ image: ComfyUIImage, left: Int, top: Int, width: Int, height: Int) -> ComfyUIImage {
        var values: [Float] = []
        values.reserveCapacity(width * height * 3)
        for row in top..<top + height {
            let start = (row * image.width + left) * 3
            values.append(contentsOf: image.values[start..<start + width * 3])
        }
        return ComfyUIImage(width: width, height: height, values: values)
    }

    /// comfy.utils.common_upscale.
    static func scale(_ image: ComfyUIImage, width: Int, height: Int, method: String, crop: String) throws(NodeFailure)
        -> ComfyUIImage
    {
        guard width > 0, height > 0 else {
            throw NodeFailure(type: "RuntimeError", message: "Input and output sizes should be greater than 0, but got input (H: \(image.height), W: \(image.width)) output (H: \(height), W: \(width))")
        }
        var source = image
        if crop == "center" {
            let oldAspect = Double(image.width) / Double(image.height)
            let newAspect = Double(width) / Double(height)
            var x = 0
            var y = 0
            if oldAspect > newAspect {
                x = Int(((Double(image.width) - Double(image.width) * (newAspect / oldAspect)) / 2).rounded(.toNearestOrEven))
            } else if oldAspect < newAspect {
                y = Int(((Double(image.height) - Double(image.height) * (oldAspect / newAspect)) / 2).rounded(.toNearestOrEven))
            }
            source = region(image, left: x, top: y, width: image.width - 2 * x, height: image.height - 2 * y)
        }
        switch method {
        case "nearest-exact": return nearest(source, width: width, height: height)
        case "area": return area(source, width: width, height: height)
        default: return bilinear(source, width: width, height: height)
        }
    }

    private static func nearest(_ image: ComfyUIImage, width: Int, height: Int) -> ComfyUIImage {
        let scaleX = Double(image.width) / Double(width)
        let scaleY = Double(image.height) / Double(height)
        var values = [Float](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            let sy = min(Int(((Double(y) + 0.5) * scaleY).rounded(.down)), image.height - 1)
            for x in 0..<width {
                let sx = min(Int(((Double(x) + 0.5) * scaleX).rounded(.down)), image.width - 1)
                for channel in 0..<3 {
                    values[(y * width + x) * 3 + channel] = image.value(x: sx, y: sy, channel: channel)
                }
            }
        }
        return ComfyUIImage(width: width, height: height, values: values)
    }

    private static func bilinear(_ image: ComfyUIImage, width: Int, height: Int) -> ComfyUIImage {
        let scaleX = Double(image.width) / Double(width)
        let scaleY = Double(image.height) / Double(height)
        func source(_ index: Int, _ scale: Double, _ limit: Int) -> (Int, Int, Float) {
            let position = max(0, (Double(index) + 0.5) * scale - 0.5)
            let low = min(Int(position), limit - 1)
            let high = min(low + 1, limit - 1)
            return (low, high, Float(position - Double(low)))
        }
        var values = [Float](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            let (y0, y1, fy) = source(y, scaleY, image.height)
            for x in 0..<width {
                let (x0, x1, fx) = source(x, scaleX, image.width)
                for channel in 0..<3 {
                    let top = image.value(x: x0, y: y0, channel: channel) * (1 - fx) + image.value(x: x1, y: y0, channel: channel) * fx
                    let bottom = image.value(x: x0, y: y1, channel: channel) * (1 - fx) + image.value(x: x1, y: y1, channel: channel) * fx
                    values[(y * width + x) * 3 + channel] = top * (1 - fy) + bottom * fy
                }
            }
        }
        return ComfyUIImage(width: width, height: height, values: values)
    }

    /// Adaptive average pooling, as `mode="area"`.
    private static func area(_ image: ComfyUIImage, width: Int, height: Int) -> ComfyUIImage {
        var values = [Float](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            let y0 = y * image.height / height
            let y1 = max(y0 + 1, ((y + 1) * image.height + height - 1) / height)
            for x in 0..<width {
                let x0 = x * image.width / width
                let x1 = max(x0 + 1, ((x + 1) * image.width + width - 1) / width)
                let count = Float((y1 - y0) * (x1 - x0))
                for channel in 0..<3 {
                    var sum: Float = 0
                    for sy in y0..<y1 {
                        for sx in x0..<x1 { sum += image.value(x: sx, y: sy, channel: channel) }
                    }
                    values[(y * width + x) * 3 + channel] = sum / count
                }
            }
        }
        return ComfyUIImage(width: width, height: height, values: values)
    }

    /// comfy_extras' `gaussian_kernel`: a `size`×`size` kernel over linspace(−1, 1), normalised.
    static func gaussianKernel(size: Int, sigma: Double) -> [Double] {
        let axis = (0..<size).map { size == 1 ? -1.0 : -1.0 + 2.0 * Double($0) / Double(size - 1) }
        var kernel: [Double] = []
        for x in axis {
            for y in axis { kernel.append(exp(-(x * x + y * y) / (2 * sigma * sigma))) }
        }
        let sum = kernel.reduce(0, +)
        return kernel.map { $0 / sum }
    }

    /// ImageBlur: Gaussian blur over a reflect-padded image.
    static func blur(_ image: ComfyUIImage, radius: Int, sigma: Double) throws(NodeFailure) -> ComfyUIImage {
        try convolve(image, radius: radius, kernel: gaussianKernel(size: radius * 2 + 1, sigma: sigma), clamp: false)
    }

    /// ImageSharpen: a negated Gaussian with the centre lifted so the kernel sums to 1, clamped.
    static func sharpen(_ image: ComfyUIImage, radius: Int, sigma: Double, alpha: Double) throws(NodeFailure)
        -> ComfyUIImage
    {
        let size = radius * 2 + 1
        var kernel = gaussianKernel(size: size, sigma: sigma).map { $0 * -(alpha * 10) }
        let centre = radius * size + radius
        kernel[centre] = kernel[centre] - kernel.reduce(0, +) + 1.0
        return try convolve(image, radius: radius, kernel: kernel, clamp: true)
    }

    private static func convolve(_ image: ComfyUIImage, radius: Int, kernel: [Double], clamp: Bool) throws(NodeFailure)
        -> ComfyUIImage
    {
        guard radius < image.width, radius < image.height else {
            throw NodeFailure(
                type: "RuntimeError",
                message: "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (\(radius), \(radius)) at dimension 3 of input [1, 3, \(image.height), \(image.width)]")
        }
        func reflect(_ index: Int, _ limit: Int) -> Int {
            if index < 0 { return -index }
            if index >= limit { return 2 * (limit - 1) - index }
            return index
        }
        let size = radius * 2 + 1
        var values = [Float](repeating: 0, count: image.values.count)
        for y in 0..<image.height {
            for x in 0..<image.width {
                for channel in 0..<3 {
                    var sum = 0.0
                    for ky in 0..<size {
                        let sy = reflect(y + ky - radius, image.height)
                        for kx in 0..<size {
                            let sx = reflect(x + kx - radius, image.width)
                            sum += kernel[ky * size + kx] * Double(image.value(x: sx, y: sy, channel: channel))
                        }
                    }
                    let value = Float(sum)
                    values[(y * image.width + x) * 3 + channel] = clamp ? min(1, max(0, value)) : value
                }
            }
        }
        return ComfyUIImage(width: image.width, height: image.height, values: values)
    }
}
