import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Hydrator {
    /// On a pool thread: builds `snapshots/<mode>.<id>` (links to blobs, ComfyUI's
    /// `extra_model_paths.yaml`, the LLM model path), then points `snapshots/<mode>` at it with
    /// a rename over the old link, the one atomic step a reader can observe. Returns the build's name.
    func buildSnapshot(_ manifest: HydrationManifest) throws -> String {
        let mode = manifest.mode
        let snapshots = store.snapshotsDirectory
        let millis = Int64(Date().timeIntervalSince1970 * 1000)
        let name = "\(mode).\(String(millis)).\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let building = snapshots + "/." + name + ".building"
        try BlockingIO.makeDirectories(building)
        var directories: Set<String> = [building]
        do {
            for folder in ModelKind.comfyFolders {
                try BlockingIO.makeDirectories(building + "/" + folder)
                directories.insert(building + "/" + folder)
            }
            for file in manifest.files {
                let path = building + "/" + file.destination
                let parent = (path as NSString).deletingLastPathComponent
                try BlockingIO.makeDirectories(parent)
                directories.insert(parent)
                let depth = file.destination.split(separator: "/").count - 1 + 2
                let target = String(repeating: "../", count: depth) + "blobs/sha256/" + file.sha256
                guard symlink(target, path) == 0 else { throw BlockingIO.error("cannot link", path) }
            }
            let live = store.snapshotPath(mode: mode)
            try BlockingIO.writeAtomically(
                Array(Self.extraModelPaths(mode: mode, basePath: live).utf8), to: building + "/extra_model_paths.yaml",
                sync: true)
            if let llm = manifest.llmModel {
                try BlockingIO.writeAtomically(
                    Array((live + "/" + llm.destination + "\n").utf8), to: building + "/llm-model-path", sync: true)
            }
            for directory in directories { try BlockingIO.fsyncDirectory(directory) }
            try BlockingIO.renameFile(building, snapshots + "/" + name)
            let link = snapshots + "/." + mode + ".link"
            unlink(link)
            guard symlink(name, link) == 0 else { throw BlockingIO.error("cannot link", link) }
            var info = stat()
            if lstat(live, &info) == 0 && (info.st_mode & S_IFMT) != S_IFLNK {
                throw HydrationError(.io, "\(live) exists and is not a symlink: move it away")
            }
            try BlockingIO.renameFile(link, live)
            try BlockingIO.fsyncDirectory(snapshots)
        } catch {
            try? FileManager.default.removeItem(atPath: building)
            throw error
        }
        pruneSnapshots(mode: mode, live: name)
        return name
    }

    /// Removes builds of `mode` other than the live one and the newest `keepPreviousSnapshots`.
    func pruneSnapshots(mode: String, live: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.snapshotsDirectory)) ?? []
        let builds = names.filter { Self.isBuild($0, of: mode) && $0 != live }.sorted { Self.buildTime($0) > Self.buildTime($1) }
        for stale in builds.dropFirst(max(0, configuration.keepPreviousSnapshots)) {
            try? FileManager.default.removeItem(atPath: store.snapshotsDirectory + "/" + stale)
        }
    }

    static func isBuild(_ name: String, of mode: String) -> Bool {
        let parts = name.split(separator: ".")
        return parts.count == 3 && parts[0] == mode && Int64(parts[1]) != nil
    }

    static func buildTime(_ name: String) -> Int64 {
        let parts = name.split(separator: ".")
        return parts.count == 3 ? Int64(parts[1]) ?? 0 : 0
    }

    /// ComfyUI's `extra_model_paths.yaml` (its `extra_model_paths.yaml.example` format): one
    /// section whose `base_path` is the live snapshot, and a folder per model type.
    static func extraModelPaths(mode: String, basePath: String) -> String {
        var text = """
            # Written by `velocity hydrate --mode \(mode)`; rewritten on every hydrate, do not edit.
            # ComfyUI: --extra-model-paths-config \(basePath)/extra_model_paths.yaml
            velocity_\(mode):
                base_path: \(basePath)

            """
        for folder in ModelKind.comfyFolders { text += "    \(folder): \(folder)/\n" }
        return text
    }
}
