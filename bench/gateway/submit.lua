-- wrk script: POST /v1/jobs with a small crm.import job, authenticated.
wrk.method = "POST"
wrk.body = '{"kind":"crm.import","payload":{"file":"blobs/leads-2026-11.csv","rows":1200,"mapping":"hubspot"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
