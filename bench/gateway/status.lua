-- wrk script: GET /v1/jobs/{id} for random ids of jobs the submit phase created.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
request = function()
    return wrk.format("GET", "/v1/jobs/" .. ids[math.random(#ids)])
end
