import Foundation
import GPUBox
import Glibc

/// Runs the configured `nvidia-smi` query and parses its output. The command runs on the
/// NIO thread pool: it blocks until nvidia-smi exits, which can take seconds on a sick driver.
struct GPUInventoryReader: Sendable {
    let command: [String]

    /// The GPUs nvidia-smi listed, and the problems it printed (a GPU fell off the bus).
    struct Reading: Sendable {
        var gpus: [GPUInfo]
        var problems: String
    }

    /// Longest nvidia-smi may take before it is killed (a sick driver can hang it).
    static let timeout: Duration = .seconds(30)

    func read() async throws -> Reading {
        let command = self.command + NvidiaSmiQuery.arguments
        let (status, output, errors) = try await Self.run(command)
        let gpus = try NvidiaSmiQuery.parse(output)
        if status != 0 && gpus.isEmpty {
            throw GPUInventoryError(
                .inventoryFailed,
                "\(command.first ?? "nvidia-smi") exited with status \(status): \(errors.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return Reading(gpus: gpus, problems: errors.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs it with `posix_spawn` (as backends run: Foundation's `Process` crashes now and then
    /// on Linux), its output and errors in files of their own, read once it exited.
    private static func run(_ command: [String]) async throws -> (Int32, String, String) {
        let base = NSTemporaryDirectory() + "velocity-nvidia-smi-\(UUID().uuidString)"
        defer {
            unlink(base + ".out")
            unlink(base + ".err")
        }
        let process: BackendProcess
        do {
            process = try BackendProcess.start(
                name: "nvidia-smi", command: command, environment: [:], logPath: base + ".out", errorPath: base + ".err")
        } catch {
            throw GPUInventoryError(.inventoryFailed, "cannot run \(command.joined(separator: " ")): \(error.message)")
        }
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await process.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let status = next { return status }
                process.kill()  // past the timeout: its exit follows
            }
            return await process.waitForExit()
        }
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return (status, output, errors)
    }
}
