import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Hydrator {
    /// Removes blobs that no manifest in the manifest directory and no live snapshot references,
    /// `.incomplete` downloads of unreferenced digests or without a usable sidecar, and
    /// snapshot builds no mode points at. Takes the store's lock.
    public func collectGarbage() async throws -> GarbageReport {
        let manifests = try ManifestLoader.loadAll(directory: configuration.manifestDirectory)
        let named = Set(manifests.flatMap { $0.files.map(\.sha256) })
        return try await pool.runIfActive { [store] () throws -> GarbageReport in
            var referenced = named
            guard BlockingIO.exists(store.blobDirectory) else {
                return GarbageReport(removedBlobs: [], removedIncomplete: [], removedSnapshots: [], freedBytes: 0, keptBlobs: 0)
            }
            let lock = try BlockingIO.lockExclusive(store.lockPath)
            defer { close(lock) }
            let fm = FileManager.default
            // Live snapshots keep their blobs even when a manifest dropped them: a backend may be reading.
            let snapshotNames = (try? fm.contentsOfDirectory(atPath: store.snapshotsDirectory)) ?? []
            var liveBuilds: Set<String> = []
            for name in snapshotNames {
                let path = store.snapshotsDirectory + "/" + name
                if let target = try? fm.destinationOfSymbolicLink(atPath: path) {
                    liveBuilds.insert(target)
                    referenced.formUnion(Self.linkedDigests(in: store.snapshotsDirectory + "/" + target))
                }
            }
            var removedSnapshots: [String] = []
            for name in snapshotNames where !liveBuilds.contains(name) {
                let path = store.snapshotsDirectory + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
                let isBuild = name.hasPrefix(".") && name.hasSuffix(".building")
                    || name.split(separator: ".").count == 3
                guard isBuild else { continue }
                try? fm.removeItem(atPath: path)
                removedSnapshots.append(name)
            }
            var removedBlobs: [String] = []
            var removedIncomplete: [String] = []
            var freed: Int64 = 0
            var kept = 0
            let names = (try? fm.contentsOfDirectory(atPath: store.blobDirectory)) ?? []
            for name in names.sorted() {
                let path = store.blobDirectory + "/" + name
                let digest = String(name.prefix(64))
                if ContentStore.isBlobName(name) {
                    if referenced.contains(name) {
                        kept += 1
                        continue
                    }
                    freed += BlockingIO.allocatedBytes(path)
                    BlockingIO.remove(path)
                    removedBlobs.append(name)
                } else if name.hasSuffix(".incomplete") {
                    let resumable = referenced.contains(digest) && BlockingIO.exists(path + ".json")
                    if resumable { continue }
                    freed += BlockingIO.allocatedBytes(path)
                    BlockingIO.remove(path)
                    BlockingIO.remove(path + ".json")
                    removedIncomplete.append(name)
                } else if name.hasSuffix(".incomplete.json") || name.hasSuffix(".tmp") {
                    if name.hasSuffix(".json"), BlockingIO.exists(String(path.dropLast(".json".count))) { continue }
                    BlockingIO.remove(path)
                }
            }
            return GarbageReport(
                removedBlobs: removedBlobs, removedIncomplete: removedIncomplete, removedSnapshots: removedSnapshots.sorted(),
                freedBytes: freed, keptBlobs: kept)
        }
    }

    /// Digests the symlinks under a snapshot build point at.
    static func linkedDigests(in directory: String) -> Set<String> {
        var digests: Set<String> = []
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: directory) else { return digests }
        while let relative = walker.nextObject() as? String {
            let path = directory + "/" + relative
            if let target = try? fm.destinationOfSymbolicLink(atPath: path) {
                let last = String(target.split(separator: "/").last ?? "")
                if ContentStore.isBlobName(last) { digests.insert(last) }
            }
        }
        return digests
    }
}
