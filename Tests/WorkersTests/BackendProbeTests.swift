import CurlClient
import Emulators
import Testing
@testable import Workers

@Suite("LLM backend probe")
struct BackendProbeTests {
    typealias Flavor = OpenAIEmulatorConfiguration.Flavor

    @Test("the probe waits out the model load and returns the name /v1/models lists", arguments: Flavor.allCases)
    func servedName(flavor: Flavor) async throws {
        let name = flavor == .llamacpp ? "/models/llama-3.1-8b-instruct-Q4_K_M.gguf" : "llama-3.1-8b-instruct"
        let configuration = OpenAIEmulatorConfiguration(
            flavor: flavor, model: name, tokensPerSecond: 5_000, prefillMilliseconds: 1,
            startupMilliseconds: flavor == .llamacpp ? 600_000 : 0)
        try await OpenAIEmulator.withRunning(configuration) { emulator, base in
            try await CurlHTTPClient.withClient { (curl: CurlHTTPClient) async throws -> Void in
                let probe = { (model: String?) in BackendProbe(kind: .llm(model: model), baseURL: base, http: curl) }
                // llama.cpp's load ends while the probe waits on it.
                let loader = Task {
                    try await Task.sleep(for: .milliseconds(300))
                    emulator.finishLoading()
                }
                #expect(try await probe(nil).check(timeout: .seconds(20)) == name)
                try await loader.value
                #expect(try await probe(name).check(timeout: .seconds(20)) == name)
                let error = await #expect(throws: AgentError.self) { try await probe("default").check(timeout: .seconds(5)) }
                #expect(error?.code == .backendNotReady)
                #expect(error?.message.contains("does not serve 'default'; /v1/models lists '\(name)'") == true)
            }
        }
    }
}
