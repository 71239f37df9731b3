import Broker
import Testing
import Workers

/// ComfyUI's answers as its server.py and execution.py write them, read into our types.
@Suite("ComfyUI protocol shapes")
struct ComfyUIProtocolTests {
    func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("an unknown node type is comfyui_invalid_prompt, naming the node")
    func invalidPrompt() {
        let error = ComfyUIPromptRejection.error(status: 400, body: body("""
            {"error": {"type": "invalid_prompt", "message": "Cannot execute because node Frobnicate does not exist.",
             "details": "Node ID '#12'", "extra_info": {}}, "node_errors": {}}
            """))
        #expect(error.code == .comfyUIInvalidPrompt)
        #expect(error.nodeID == "12")
        #expect(!error.retriable)
        #expect(error.message.contains("Frobnicate"))
    }

    @Test("a failed validation names the node, its class and the input")
    func validationFailed() {
        let error = ComfyUIPromptRejection.error(status: 400, body: body("""
            {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation",
              "details": "", "extra_info": {}},
             "node_errors": {"7": {"errors": [{"type": "value_bigger_than_max", "message": "Value 3 bigger than max of 1",
               "details": "denoise", "extra_info": {"input_name": "denoise", "input_config": ["FLOAT", {"max": 1.0}],
               "received_value": 3}}], "dependent_outputs": ["9"], "class_type": "KSampler"}}}
            """))
        #expect(error.code == .comfyUIValidationFailed)
        #expect(error.nodeID == "7")
        #expect(error.inputName == "denoise")
        #expect(error.message.contains("KSampler"))
        #expect(error.message.contains("value_bigger_than_max"))
        #expect(!error.retriable)
    }

    @Test("value_not_in_list on a model input is comfyui_missing_model, wherever it sits among the errors")
    func missingModel() {
        let error = ComfyUIPromptRejection.error(status: 400, body: body("""
            {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation",
              "details": "", "extra_info": {}},
             "node_errors": {
               "1": {"errors": [{"type": "value_not_in_list", "message": "Value not in list",
                 "details": "ckpt_name: 'dreamweaver_staging_xl.safetensors' not in []",
                 "extra_info": {"input_name": "ckpt_name", "input_config": null,
                   "received_value": "dreamweaver_staging_xl.safetensors"}}],
                 "dependent_outputs": ["9"], "class_type": "CheckpointLoaderSimple"},
               "0": {"errors": [{"type": "required_input_missing", "message": "Required input is missing",
                 "details": "text", "extra_info": {"input_name": "text"}}], "dependent_outputs": ["9"],
                 "class_type": "CLIPTextEncode"}}}
            """))
        #expect(error.code == .comfyUIMissingModel)
        #expect(error.nodeID == "1")
        #expect(error.inputName == "ckpt_name")
        #expect(error.message.contains("dreamweaver_staging_xl.safetensors"))
    }

    @Test("without extra_info the input is read from details; a sampler value not in list is a validation failure")
    func notAModel() {
        let error = ComfyUIPromptRejection.failure(nodeErrors: try? JSONValue(parsing: body("""
            {"7": {"errors": [{"type": "value_not_in_list", "message": "Value not in list",
              "details": "sampler_name: 'dpm_fancy' not in ['euler', 'dpmpp_2m']"}], "class_type": "KSampler"}}
            """)))
        #expect(error?.code == .comfyUIValidationFailed)
        #expect(error?.inputName == "sampler_name")
    }

    @Test("no outputs, no prompt, malformed JSON and a proxy's 502 each map to their code")
    func otherRefusals() {
        let noOutputs = ComfyUIPromptRejection.error(status: 400, body: body("""
            {"error": {"type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": "", "extra_info": {}},
             "node_errors": []}
            """))
        #expect(noOutputs.code == .comfyUINoOutputs)
        let noPrompt = ComfyUIPromptRejection.error(status: 400, body: body("""
            {"error": {"type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided",
             "extra_info": {}}, "node_errors": {}}
            """))
        #expect(noPrompt.code == .comfyUIRejected)
        #expect(!noPrompt.retriable)
        let oldShape = ComfyUIPromptRejection.error(status: 400, body: body(#"{"error": "no prompt", "node_errors": []}"#))
        #expect(oldShape.code == .comfyUIRejected)
        #expect(oldShape.message.contains("no prompt"))
        let malformed = ComfyUIPromptRejection.error(status: 500, body: body("500 Internal Server Error"))
        #expect(malformed.code == .comfyUIRejected)
        #expect(!malformed.retriable)
        let proxy = ComfyUIPromptRejection.error(status: 502, body: body("Bad Gateway"))
        #expect(proxy.retriable)
    }

    @Test("an empty node_errors (object or list) is no failure")
    func emptyNodeErrors() throws {
        #expect(ComfyUIPromptRejection.failure(nodeErrors: try JSONValue(parsing: body("{}"))) == nil)
        #expect(ComfyUIPromptRejection.failure(nodeErrors: try JSONValue(parsing: body("[]"))) == nil)
        #expect(ComfyUIPromptRejection.failure(nodeErrors: nil) == nil)
    }

    @Test("websocket frames decode into events, with numeric node ids and unknown types tolerated")
    func events() {
        let id = "0190a5c2-7b1e-7c3d-8e4f-5a6b7c8d9e0f"
        #expect(ComfyUIEvent.decode(#"{"type":"status","data":{"status":{"exec_info":{"queue_remaining":2}},"sid":"abc"}}"#)
            == .status(queueRemaining: 2))
        #expect(ComfyUIEvent.decode(#"{"type":"execution_start","data":{"prompt_id":"\#(id)","timestamp":1}}"#)
            == .executionStart(promptID: id))
        #expect(ComfyUIEvent.decode(#"{"type":"execution_cached","data":{"nodes":["1",2],"prompt_id":"\#(id)"}}"#)
            == .executionCached(promptID: id, nodes: ["1", "2"]))
        #expect(ComfyUIEvent.decode(#"{"type":"executing","data":{"node":null,"display_node":null,"prompt_id":"\#(id)"}}"#)
            == .executing(promptID: id, node: nil))
        #expect(ComfyUIEvent.decode(#"{"type":"executing","data":{"node":"7"}}"#) == .executing(promptID: nil, node: "7"))
        #expect(ComfyUIEvent.decode(#"{"type":"progress","data":{"value":3,"max":20,"prompt_id":"\#(id)","node":"7"}}"#)
            == .progress(promptID: id, node: "7", value: 3, max: 20))
        #expect(ComfyUIEvent.decode(#"{"type":"execution_success","data":{"prompt_id":"\#(id)","timestamp":5}}"#)
            == .executionSuccess(promptID: id))
        #expect(ComfyUIEvent.decode(
            #"{"type":"execution_error","data":{"prompt_id":"\#(id)","node_id":"7","node_type":"KSampler","executed":[],"exception_message":"CUDA out of memory","exception_type":"torch.OutOfMemoryError","traceback":[],"current_inputs":{},"current_outputs":[]}}"#)
            == .executionError(
                promptID: id,
                ComfyUIExecutionFailure(
                    nodeID: "7", nodeType: "KSampler", exceptionType: "torch.OutOfMemoryError", exceptionMessage: "CUDA out of memory")))
        #expect(ComfyUIEvent.decode(#"{"type":"execution_interrupted","data":{"prompt_id":"\#(id)","node_id":"7","node_type":"KSampler","executed":["1"]}}"#)
            == .executionInterrupted(promptID: id, nodeID: "7"))
        #expect(ComfyUIEvent.decode(#"{"type":"crystools.monitor","data":{"cpu":3}}"#) == .other(type: "crystools.monitor", promptID: nil))
        #expect(ComfyUIEvent.decode("not json") == nil)
        #expect(ComfyUIEvent.decode(#"{"data":{}}"#) == nil)
    }

    @Test("history: {} is not done; success, error and interrupt are read from status and its messages")
    func history() throws {
        let id = "0190a5c2-7b1e-7c3d-8e4f-5a6b7c8d9e0f"
        #expect(try ComfyUIHistoryEntry.parse(try JSONValue(parsing: body("{}")), promptID: id) == nil)
        let success = try ComfyUIHistoryEntry.parse(try JSONValue(parsing: body("""
            {"\(id)": {"prompt": [0, "\(id)", {}, {}, ["9"]],
              "outputs": {"9": {"images": [{"filename": "\(id)_00001_.png", "subfolder": "velocity", "type": "output"}]}},
              "status": {"status_str": "success", "completed": true,
                "messages": [["execution_start", {"prompt_id": "\(id)"}], ["execution_success", {"prompt_id": "\(id)"}]]},
              "meta": {"9": {"node_id": "9"}}}}
            """)), promptID: id)
        #expect(success?.end == .succeeded)
        #expect(success?.outputs["9"] == [ComfyUIFileRef(filename: "\(id)_00001_.png", subfolder: "velocity", type: "output")])

        let error = try ComfyUIHistoryEntry.parse(try JSONValue(parsing: body("""
            {"\(id)": {"outputs": {}, "status": {"status_str": "error", "completed": false,
              "messages": [["execution_start", {}], ["execution_error", {"prompt_id": "\(id)", "node_id": "7",
                "node_type": "KSampler", "exception_message": "boom", "exception_type": "RuntimeError"}]]}}}
            """)), promptID: id)
        #expect(error?.end == .failed(ComfyUIExecutionFailure(nodeID: "7", nodeType: "KSampler", exceptionType: "RuntimeError", exceptionMessage: "boom")))

        let interrupted = try ComfyUIHistoryEntry.parse(try JSONValue(parsing: body("""
            {"\(id)": {"outputs": {}, "status": {"status_str": "error", "completed": false,
              "messages": [["execution_start", {}], ["execution_interrupted", {"prompt_id": "\(id)", "node_id": "7",
                "node_type": "KSampler", "executed": []}]]}}}
            """)), promptID: id)
        #expect(interrupted?.end == .interrupted(nodeID: "7"))

        #expect(throws: ComfyUIError.self) { try ComfyUIHistoryEntry.parse(.array([]), promptID: id) }
    }
}
