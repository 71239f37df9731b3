import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One running backend process: started with its own environment, its output appended to a
/// log file, stopped with SIGTERM and, after a grace period, SIGKILL.
///
/// The process leads its own process group, so stopping it also stops what it spawned
/// (Python servers start helpers).
final class BackendProcess: Sendable {
    let name: String
    let pid: Int32
    private let exit: Mutex<ExitState>

    private struct ExitState {
        var status: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
    }

    private init(name: String, pid: Int32) {
        self.name = name
        self.pid = pid
        exit = Mutex(ExitState())
    }

    /// Starts `command` (the first element is looked up in PATH when it has no slash).
    static func start(name: String, command: [String], environment: [String: String], logPath: String) throws(AgentError) -> BackendProcess {
        guard let executable = command.first else {
            throw AgentError(.backendStartFailed, "\(name): empty command line")
        }
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = Array(command.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw AgentError(.backendStartFailed, "\(name): cannot open its log \(logPath)")
        }
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        let box = Mutex<BackendProcess?>(nil)
        process.terminationHandler = { finished in
            let status = finished.terminationReason == .uncaughtSignal ? -finished.terminationStatus : finished.terminationStatus
            box.withLock { $0 }?.exited(status)
            try? log.close()
        }
        do {
            try process.run()
        } catch {
            try? log.close()
            throw AgentError(.backendStartFailed, "\(name): cannot start \(command.joined(separator: " ")): \(error)")
        }
        let backend = BackendProcess(name: name, pid: process.processIdentifier)
        box.withLock { $0 = backend }
        if !process.isRunning { backend.exited(process.terminationStatus) }
        _ = setpgid(backend.pid, backend.pid)
        return backend
    }

    private func exited(_ status: Int32) {
        let waiters = exit.withLock { state -> [CheckedContinuation<Int32, Never>] in
            guard state.status == nil else { return [] }
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    /// The exit status once it exited (negative: killed by that signal).
    var exitStatus: Int32? { exit.withLock { $0.status } }

    /// Returns when the process exits, with its status.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = exit.withLock { state -> Int32? in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// SIGTERM to the process group, then SIGKILL if it has not exited within `grace`.
    func stop(grace: Duration) async {
        guard exitStatus == nil else { return }
        signalGroup(SIGTERM)
        let exited = await withTaskGroup(of: Bool.self) { group in
            group.addTask { _ = await self.waitForExit(); return true }
            group.addTask { try? await Task.sleep(for: grace); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !exited {
            signalGroup(SIGKILL)
            _ = await waitForExit()
        }
    }

    /// SIGKILL now, as a crash would (tests, a hung backend).
    func kill() {
        signalGroup(SIGKILL)
    }

    private func signalGroup(_ signal: Int32) {
        if Glibc.kill(-pid, signal) != 0 { _ = Glibc.kill(pid, signal) }
    }

    /// Resident memory in MiB, read from /proc; nil once it exited.
    var residentMemoryMiB: Int? {
        guard exitStatus == nil,
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return digits.map { $0 / 1024 }
        }
        return nil
    }
}
