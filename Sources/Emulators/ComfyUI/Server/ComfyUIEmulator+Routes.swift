import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOPosix

extension ComfyUIEmulator {
    typealias Context = BasicWebSocketRequestContext

    func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: Context.self)
        addRoutes(to: router)
        return Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "Python/3.12 aiohttp/3.11.18"),
            onServerRunning: { channel in self.markListening(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    /// Every ComfyUI route twice, bare and under `/api`, as `PromptServer.add_routes` does.
    private func addRoutes(to router: Router<Context>) {
        for prefix in ["", "/api"] {
            router.get("\(prefix)/prompt") { _, _ in self.getPrompt() }
            router.post("\(prefix)/prompt") { request, _ in await self.handle { try await self.postPrompt(request) } }
            router.get("\(prefix)/queue") { _, _ in self.getQueue() }
            router.post("\(prefix)/queue") { request, _ in await self.handle { try await self.postQueue(request) } }
            router.post("\(prefix)/interrupt") { request, _ in await self.handle { try await self.postInterrupt(request) } }
            router.post("\(prefix)/free") { request, _ in await self.handle { try await self.postFree(request) } }
            router.get("\(prefix)/history") { request, _ in await self.handle { try self.getHistory(request) } }
            router.get("\(prefix)/history/{prompt_id}") { _, context in
                await self.handle { try await self.getHistory(id: context.parameters.require("prompt_id")) }
            }
            router.post("\(prefix)/history") { request, _ in await self.handle { try await self.postHistory(request) } }
            router.get("\(prefix)/view") { request, _ in await self.handle { try await self.view(request) } }
            router.post("\(prefix)/upload/image") { request, _ in await self.handle { try await self.uploadImage(request) } }
            router.get("\(prefix)/system_stats") { _, _ in self.systemStats() }
            router.get("\(prefix)/object_info") { _, _ in await self.handle { try await self.objectInfo(nil) } }
            router.get("\(prefix)/object_info/{node_class}") { _, context in
                await self.handle { try await self.objectInfo(context.parameters.require("node_class")) }
            }
            router.get("\(prefix)/models") { _, _ in self.modelFolderNames() }
            router.get("\(prefix)/models/{folder}") { _, context in
                await self.handle { try await self.models(in: context.parameters.require("folder")) }
            }
            router.get("\(prefix)/embeddings") { _, _ in ComfyUIResponses.json([]) }
            router.get("\(prefix)/features") { _, _ in self.features() }
            router.ws("\(prefix)/ws") { inbound, outbound, context in
                try await self.serveWebSocket(inbound: inbound, outbound: outbound, context: context)
            }
        }
        router.get("/emulator/faults") { _, _ in
            // The plan plus the state it caused: the prompt hung now, if any.
            var state = self.faults.json.objectValue ?? [:]
            state["hung_prompt_id"] = self.runtime.hungPromptID.map(ComfyJSON.string) ?? .null
            return ComfyUIResponses.json(.object(state))
        }
        router.post("/emulator/faults") { request, _ in await self.handle { try await self.postFaults(request) } }
        router.delete("/emulator/faults") { _, _ in
            self.setFaults(ComfyUIFaults())
            return ComfyUIResponses.json(self.faults.json)
        }
    }

    /// Runs a handler, answering anything it throws as aiohttp answers an exception.
    func handle(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as BodyTooLarge {
            return ComfyUIResponses.tooLarge(limit: error.limit)
        } catch {
            logger.error("Error handling request", metadata: ["error": "\(error)"])
            return ComfyUIResponses.internalError()
        }
    }

    struct BodyTooLarge: Error {
        var limit: Int
    }

    /// The request body, refused past `--max-upload-size`.
    func body(_ request: Request) async throws -> [UInt8] {
        let limit = configuration.maxUploadBytes
        do {
            return Array(buffer: try await request.body.collect(upTo: limit))
        } catch {
            throw BodyTooLarge(limit: limit)
        }
    }

    /// `await request.json()`: a body that is not JSON is an exception (500).
    func json(_ request: Request) async throws -> ComfyJSON {
        try ComfyJSON.parse(try await body(request))
    }

    // MARK: queue, history, interrupt, free

    func queueInfo() -> ComfyJSON {
        ["exec_info": ["queue_remaining": .int(queue.remaining)]]
    }

    func getPrompt() -> Response { ComfyUIResponses.json(queueInfo()) }

    func getQueue() -> Response {
        let (running, pending) = queue.current()
        return ComfyUIResponses.json([
            "queue_running": .array(running.map(\.json)), "queue_pending": .array(pending.map(\.json)),
        ])
    }

    func postQueue(_ request: Request) async throws -> Response {
        let json = try await json(request)
        guard let object = json.objectValue else { return ComfyUIResponses.empty() }
        if object["clear"]?.isTruthy == true { queue.wipe() }
        if let delete = object["delete"] {
            guard let ids = delete.arrayValue else { throw ComfyUIHandlerException(reason: "delete must be a list") }
            for id in ids { queue.delete(id.pythonString) }
        }
        return ComfyUIResponses.empty()
    }

    /// With a `prompt_id`, interrupts only if that prompt is the one running; without one,
    /// whatever runs. Takes effect between nodes and sampler steps.
    func postInterrupt(_ request: Request) async throws -> Response {
        let json = (try? await json(request)) ?? .object([:])
        guard let object = json.objectValue else { throw ComfyUIHandlerException(reason: "'list' object has no attribute 'get'") }
        if let promptID = object["prompt_id"], promptID.isTruthy {
            if queue.isRunning(promptID.pythonString) {
                logger.info("Interrupting prompt \(promptID.pythonString)")
                runtime.interrupt()
            } else {
                logger.info("Prompt \(promptID.pythonString) is not currently running, skipping interrupt")
            }
        } else {
            logger.info("Global interrupt (no prompt_id specified)")
            runtime.interrupt()
        }
        return ComfyUIResponses.empty()
    }

    /// Sets the `unload_models` / `free_memory` flags, acted on between prompts.
    func postFree(_ request: Request) async throws -> Response {
        guard let object = try await json(request).objectValue else {
            throw ComfyUIHandlerException(reason: "'list' object has no attribute 'get'")
        }
        if let value = object["unload_models"], value.isTruthy { queue.setFlag("unload_models", value) }
        if let value = object["free_memory"], value.isTruthy { queue.setFlag("free_memory", value) }
        return ComfyUIResponses.empty()
    }

    func getHistory(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        func integer(_ name: String) throws -> Int? {
            guard let text = query[name[...]] else { return nil }
            guard let value = Int(String(text).trimmingCharacters(in: .whitespaces)) else {
                throw ComfyUIHandlerException(reason: "invalid literal for int() with base 10: '\(text)'")
            }
            return value
        }
        let maxItems = try integer("max_items")
        let offset = try integer("offset") ?? -1
        return ComfyUIResponses.json(queue.history(maxItems: maxItems, offset: offset))
    }

    /// `{}` until the prompt is done; a hung prompt's history never answers.
    func getHistory(id: String) async throws -> Response {
        while runtime.isHung(id) {
            await runtime.waitForRelease()
            try Task.checkCancellation()
        }
        return ComfyUIResponses.json(queue.history(id))
    }

    func postHistory(_ request: Request) async throws -> Response {
        let json = try await json(request)
        guard let object = json.objectValue else { return ComfyUIResponses.empty() }
        if object["clear"]?.isTruthy == true { queue.wipeHistory() }
        if let delete = object["delete"] {
            guard let ids = delete.arrayValue else { throw ComfyUIHandlerException(reason: "delete must be a list") }
            for id in ids { queue.deleteHistory(id.pythonString) }
        }
        return ComfyUIResponses.empty()
    }

    func postFaults(_ request: Request) async throws -> Response {
        let json: ComfyJSON
        do {
            json = try await self.json(request)
        } catch let error as BodyTooLarge {
            throw error
        } catch {
            return ComfyUIResponses.json(["error": .string("the fault plan is not JSON: \(error)")], status: .badRequest)
        }
        do {
            setFaults(try ComfyUIFaults(json: json))
        } catch {
            return ComfyUIResponses.json(["error": .string(error.message)], status: .badRequest)
        }
        return ComfyUIResponses.json(faults.json)
    }
}
