import Foundation

/// A serial executor that owns one OS thread.
///
/// hiredis and libpq calls block; an actor whose `unownedExecutor` is one of these runs every
/// isolated method on its own thread, so a blocking call (including `BLPOP`) never occupies a
/// thread of Swift's cooperative pool.
public final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var head = 0
    private var stopping = false
    private var finished = false
    private var thread: Thread?
    /// Runs work that arrives after the thread has exited (calls on a closed connection, which
    /// fail at once): serial, so isolation still holds, and never lost, so no caller hangs.
    private static let afterShutdown = DispatchQueue(label: "velocity.closed-executors")

    /// Starts the thread; `name` shows up in debuggers and `top -H`.
    public init(name: String) {
        let thread = Thread { [unowned self] in
            // Linux names the OS thread only from inside it, and refuses a name over 15 bytes
            // (the thread would keep its creator's name, and a crash report would mislabel it):
            // the common prefix goes, the rest is cut.
            Thread.current.name = Self.osName(name)
            self.run()
        }
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    /// `name` as Linux takes it: without the `velocity-` prefix, at most 15 bytes.
    static func osName(_ name: String) -> String {
        let short = name.hasPrefix("velocity-") ? name.dropFirst("velocity-".count) : Substring(name)
        var bytes = Array(short.utf8.prefix(15))
        // Never half a character.
        while !bytes.isEmpty, String(validating: bytes, as: UTF8.self) == nil { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        if finished {
            condition.unlock()
            Self.afterShutdown.async { unowned.runSynchronously(on: self.asUnownedSerialExecutor()) }
            return
        }
        queue.append(unowned)
        condition.signal()
        condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets the thread finish the work already queued, then exit.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while head == queue.count && !stopping {
                condition.wait()
            }
            if head == queue.count && stopping {
                finished = true
                condition.unlock()
                return
            }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedSerialExecutor())
        }
    }
}
