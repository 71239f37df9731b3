import Foundation
import GPUBox
import NIOPosix

/// Runs the configured `nvidia-smi` query and parses its output. The command runs on the
/// NIO thread pool: it blocks until nvidia-smi exits, which can take seconds on a sick driver.
struct GPUInventoryReader: Sendable {
    let command: [String]

    /// The GPUs nvidia-smi listed, and the problems it printed (a GPU fell off the bus).
    struct Reading: Sendable {
        var gpus: [GPUInfo]
        var problems: String
    }

    func read() async throws -> Reading {
        let command = self.command + NvidiaSmiQuery.arguments
        let (status, output, errors) = try await NIOThreadPool.singleton.runIfActive {
            try Self.run(command)
        }
        let gpus = try NvidiaSmiQuery.parse(output)
        if status != 0 && gpus.isEmpty {
            throw GPUInventoryError(
                .inventoryFailed,
                "\(command.first ?? "nvidia-smi") exited with status \(status): \(errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return Reading(gpus: gpus, problems: errors.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func run(_ command: [String]) throws -> (Int32, String, String) {
        let process = Process()
        if let first = command.first, first.contains("/") {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments = Array(command.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
        }
        // stderr goes to a file: it is small, and reading two pipes in turn could deadlock.
        let errorPath = NSTemporaryDirectory() + "velocity-nvidia-smi-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        guard let errorFile = FileHandle(forWritingAtPath: errorPath) else {
            throw GPUInventoryError(.inventoryFailed, "cannot create \(errorPath)")
        }
        defer { try? errorFile.close() }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorFile
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw GPUInventoryError(.inventoryFailed, "cannot run \(command.joined(separator: " "))", cause: error)
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), errors)
    }
}
