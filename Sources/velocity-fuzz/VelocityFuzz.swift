import Foundation
import FuzzTargets

#if FUZZING
    // Built by ops/fuzz.sh with -sanitize=fuzzer: `main` hands the process to libFuzzer's
    // driver, which calls `fuzzOneInput` for each input; VELOCITY_FUZZ_TARGET names the target.
    let target: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["VELOCITY_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("VELOCITY_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue))")
        }
        return target
    }()

    /// The callback libFuzzer's runtime names (it refers to it even when driven from `main`).
    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// libFuzzer's entry for programs that keep their own `main` (compiler-rt, LLVM 11+).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    @main
    struct VelocityFuzz {
        static func main() {
            // One empty input first: what a target sets up once (a thread pool, a blob store)
            // is then not counted as a leak of the first input libFuzzer runs.
            target.run([])
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, { fuzzOneInput($0, $1) }))
        }
    }
#else
    /// A plain build replays inputs, to debug a finding without the sanitizers:
    /// `velocity-fuzz <target> <file or directory>…`.
    @main
    struct VelocityFuzz {
        static func main() throws {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
                let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
                FileHandle.standardError.write(Data("usage: velocity-fuzz \(names) <file or directory>…\n".utf8))
                exit(64)
            }
            var count = 0
            for path in arguments.dropFirst() {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    FileHandle.standardError.write(Data("velocity-fuzz: no such file: \(path)\n".utf8))
                    exit(66)
                }
                let files =
                    isDirectory.boolValue
                    ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" } : [path]
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file) else { continue }
                    target.run([UInt8](data))
                    count += 1
                }
            }
            print("velocity-fuzz: \(count) inputs of \(name) ran")
        }
    }
#endif
