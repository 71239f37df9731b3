import Foundation
import GPUBox
import Hummingbird
import Synchronization

extension FakeGateway {
    /// `POST /v1/ops/mode` and `GET /v1/gpus` for `velocity mode --wait` (and the GPU drain routes
    /// for `velocity gpu`): the first read shows
    /// the switch at its third step with two finished, the next shows it ended, with steps the
    /// command never saw running (each shorter than its poll).
    static func addBoxRoutes(to router: Router<BasicRequestContext>) {
        let reads = Mutex(0)
        router.post("/v1/gpus/{box}/{index}/drain") { request, context -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
            guard try context.parameters.require("box") == "box-1", try context.parameters.require("index") == "1" else {
                return error(.notFound, "not_found", "GPU not found")
            }
            guard body == #"{"reason":"fan noise"}"# else { return error(.badRequest, "test_shape", "unexpected body \(body)") }
            return json(
                #"{"object":"gpu_drain","box":"box-1","index":1,"drained":true,"drain":{"requested_by":"acme:ops","requested_at_ms":1,"reason":"fan noise","immediate":false},"agent_alive":true}"#,
                status: .accepted)
        }
        router.delete("/v1/gpus/{box}/{index}/drain") { _, context -> Response in
            guard try context.parameters.require("box") == "box-1" else { return error(.notFound, "not_found", "box not found") }
            return json(#"{"object":"gpu_drain","box":"box-1","index":1,"drained":false,"drain":null,"agent_alive":true}"#)
        }
        router.post("/v1/ops/mode") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
            guard body.contains(#""mode":"llm""#) else { return error(.badRequest, "test_shape", "unexpected body \(body)") }
            return json(#"{"id":"sw-1","box":"box-1","mode":"llm","from":"media","agent_alive":true}"#, status: .accepted)
        }
        // The autopilot's setting echoed back as the gateway answers it: the fields sent, the
        // rest as defaults.
        router.put("/v1/ops/mode/autopilot") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            guard let sent = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
                let enabled = sent["enabled"] as? Bool
            else { return error(.badRequest, "test_shape", "unexpected body \(String(buffer: body))") }
            if let box = sent["box"] as? String, box != "box-1" { return error(.notFound, "not_found", "box '\(box)' not found") }
            let dwell = sent["min_dwell_seconds"] as? Double ?? 600
            let gain = sent["min_gain_seconds"] as? Double ?? 120
            let confirm = sent["confirm_seconds"] as? Double ?? 30
            return json(
                #"{"object":"autopilot","box":"box-1","enabled":\#(enabled),"min_dwell_seconds":\#(dwell),"min_gain_seconds":\#(gain),"confirm_seconds":\#(confirm),"changed_by":"acme:ops","changed_at_ms":1,"switches":0}"#
            )
        }
        // The advice of an LLM box with renders queued, as the gateway's advisor writes it.
        router.get("/v1/ops/mode/advice") { request, _ -> Response in
            if let box = request.uri.queryParameters["box"], box != "box-1" {
                return error(.notFound, "not_found", "box '\(box)' not found")
            }
            var advice = ModeAdvisor(gpus: [0, 1, 2, 3], current: .llm).advise(
                media: QueueDemand(queued: 36, running: 4), llm: QueueDemand(queued: 0, running: 0))
            advice.box = "box-1"
            let data = try JSONEncoder().encode(advice)
            return json(#"{"object":"list","data":["# + String(decoding: data, as: UTF8.self) + "]}")
        }
        router.get("/v1/gpus") { _, _ -> Response in
            let read = reads.withLock { count -> Int in
                count += 1
                return count
            }
            func step(_ name: String, _ ms: Int) -> String {
                #"{"step":"\#(name)","rolling_back":false,"succeeded":true,"duration_ms":\#(ms)}"#
            }
            let first = [step("stop_leasing", 4), step("drain", 1_250)]
            let all =
                first + [
                    step("stop_backends", 2_310), step("hydrate", 0), step("start_backends", 12), step("health_check", 8_044),
                    step("consume", 1),
                ]
            if read == 1 {
                return json(
                    #"{"data":[{"box":"box-1","mode":"media","switching":{"id":"sw-1","from":"media","to":"llm","step":"stop_backends","rolling_back":false,"steps":[\#(first.joined(separator: ","))]},"gpus":[]}]}"#
                )
            }
            return json(
                #"{"data":[{"box":"box-1","mode":"llm","last_switch":{"id":"sw-1","from":"media","to":"llm","step":"consume","rolling_back":false,"steps":[\#(all.joined(separator: ","))],"outcome":"switched","duration_ms":11630},"gpus":[]}]}"#
            )
        }
    }
}
