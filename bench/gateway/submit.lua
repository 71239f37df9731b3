-- wrk script: POST /v1/jobs with a small cpu.task job (a free-form payload: crm.import's typed
-- contract needs an uploaded file), authenticated.
wrk.method = "POST"
wrk.body = '{"kind":"cpu.task","payload":{"file":"blobs/leads-2026-11.csv","rows":1200,"mapping":"hubspot"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
