import Broker
import GPUBox
import Testing

@Suite struct GPUInventoryTests {
    @Test func parsesTheQueryOutputOfFourL4s() throws {
        let output = """
            0, GPU-1a2b3c4d-0000-1111-2222-333344445555, NVIDIA L4, 23034, 1, 0, 34, 0, 00000000:01:00.0
            1, GPU-1a2b3c4d-0000-1111-2222-333344445556, NVIDIA L4, 23034, 20118, 97, 71, 0, 00000000:3B:00.0
            2, GPU-1a2b3c4d-0000-1111-2222-333344445557, NVIDIA L4, 23034, [N/A], [N/A], 40, [Not Supported], [N/A]
            3, GPU-1a2b3c4d-0000-1111-2222-333344445558, NVIDIA L4, 23034, 512, 3, 38, 2, 00000000:5E:00.0

            """
        let gpus = try NvidiaSmiQuery.parse(output)
        #expect(gpus.map(\.index) == [0, 1, 2, 3])
        #expect(gpus[1].memoryUsedMiB == 20118)
        #expect(gpus[1].utilizationPercent == 97)
        #expect(gpus[2].memoryUsedMiB == nil)
        #expect(gpus[2].uncorrectedECCErrors == nil)
        #expect(gpus[3].uncorrectedECCErrors == 2)
        #expect(gpus[0].name == "NVIDIA L4")
        #expect(gpus[1].pciBusID == "00000000:3B:00.0")
        #expect(gpus[2].pciBusID == nil)
    }

    @Test func refusesOutputThatIsNotTheQuery() {
        #expect { try NvidiaSmiQuery.parse("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.") } throws: {
            ($0 as? GPUInventoryError)?.code == .unreadableOutput
        }
        #expect { try NvidiaSmiQuery.parse("x, GPU-1, NVIDIA L4, 1, 1, 1, 1, 1, 00000000:01:00.0") } throws: {
            ($0 as? GPUInventoryError)?.message.contains("line 1") == true
        }
        #expect { try NvidiaSmiQuery.parse("0, not-a-uuid, NVIDIA L4, 1, 1, 1, 1, 1, 00000000:01:00.0") } throws: {
            ($0 as? GPUInventoryError)?.message.contains("uuid") == true
        }
    }

    @Test func theQueryAsksForTheFieldsTheParserReads() {
        #expect(NvidiaSmiQuery.arguments == [
            "--query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu,temperature.gpu,ecc.errors.uncorrected.volatile.total,pci.bus_id",
            "--format=csv,noheader,nounits",
        ])
    }

    @Test(arguments: [
        (BoxMode.media, [0, 1, 2, 3], [] as [Int]),
        (BoxMode.llm, [], [0, 1, 2, 3]),
        (BoxMode.split, [0, 1], [2, 3]),
    ])
    func layoutsOfFourGPUs(mode: BoxMode, media: [Int], llm: [Int]) {
        let layout = BoxLayout(mode: mode, gpuIndices: [3, 1, 0, 2])
        #expect(layout.mediaGPUs == media)
        #expect(layout.llmGPUs == llm)
        #expect(layout.tensorParallelSize == llm.count)
        #expect(layout.baseGPUID == llm.first)
    }

    @Test func layoutsWithAGPUMissingKeepTensorParallelAPowerOfTwo() {
        let llm = BoxLayout(mode: .llm, gpuIndices: [0, 1, 3])
        #expect(llm.llmGPUs == [0, 1])
        let split = BoxLayout(mode: .split, gpuIndices: [0, 1, 3])
        #expect(split.mediaGPUs == [0, 1])
        #expect(split.llmGPUs == [3])
        #expect(BoxLayout(mode: .split, gpuIndices: [2]).mediaGPUs == [2])
    }

    @Test("taking GPUs out keeps every other GPU's role; the LLM server keeps a power of two of its own")
    func layoutsWithGPUsRemoved() {
        let split = BoxLayout(mode: .split, gpuIndices: [0, 1, 2, 3])
        #expect(split.removing([0]).mediaGPUs == [1] && split.removing([0]).llmGPUs == [2, 3])
        #expect(split.removing([3]).mediaGPUs == [0, 1] && split.removing([3]).llmGPUs == [2])
        let llm = BoxLayout(mode: .llm, gpuIndices: [0, 1, 2, 3])
        #expect(llm.removing([1]).llmGPUs == [0, 2])
        #expect(llm.removing([0, 1, 2, 3]).llmGPUs.isEmpty)
        #expect(BoxLayout(mode: .media, gpuIndices: [0, 1, 2, 3]).removing([2]).mediaGPUs == [0, 1, 3])
    }

    @Test func queuesOfEachMode() {
        #expect(BoxMode.media.queues == ["media"])
        #expect(BoxMode.llm.queues == ["llm"])
        #expect(BoxMode.split.queues == ["media", "llm"])
    }
}
