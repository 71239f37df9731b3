extension BrokerScript {
    /// Shared Lua prepended to every broker script, after the generated `layout`.
    ///
    /// KEYS (the same fixed layout in every script; all under the queue's hash tag, so one slot):
    ///   1 ready      zset  the ready index of brokers before fair share: no longer written;
    ///                      `recover` moves what an upgrade left there into the rotations
    ///   2 queuedAt   zset  id → time it became ready (ms): every ready job (parked included),
    ///                      for the depth and the oldest waiting age
    ///   3 delayed    zset  id → due time (ms): delayed jobs and retries
    ///   4 active     zset  id → lease deadline (ms, from Redis TIME)
    ///   5 dead       zset  id → time it died (ms)
    ///   6 finished   zset  id → time it finished (ms): succeeded, failed, canceled
    ///   7 meta       hash  paused flag, attempt sequence, counters
    ///   8 events     stream of state changes, capped with MAXLEN ~
    ///   9 signal     list  wake-up markers for blocked consumers (BLPOP)
    ///  10 outbox     list  state records waiting to be written to Postgres
    ///  11 jobPrefix  prefix of job hashes (`…:job:<id>`), same hash tag: names the slot
    ///  12 idemPrefix prefix of idempotency keys (`…:idem:<tenant>:<key>`), same hash tag
    ///  13…          per-script job keys, documented in each script
    /// ARGV (the same header in every script):
    ///   1 events maxlen (0: no events)   2 aging ms per priority level   3 result TTL s
    ///   4 finished retention (count)     5 dead retention (count)        6 signal cap
    ///   7 idempotency TTL s              8 outbox on (1) or off (0)
    ///   9…   per-script arguments
    static let prelude = #"""
        local K_READY, K_QUEUED_AT, K_DELAYED, K_ACTIVE = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
        local K_DEAD, K_FINISHED, K_META, K_EVENTS = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
        local K_SIGNAL, K_OUTBOX, K_JOB, K_IDEM = KEYS[9], KEYS[10], KEYS[11], KEYS[12]
        local CFG_EVENTS_MAXLEN = tonumber(ARGV[1])
        local CFG_AGING_MS = tonumber(ARGV[2])
        local CFG_RESULT_TTL = ARGV[3]  -- seconds, passed to EXPIRE as given
        local CFG_FINISHED_MAX = tonumber(ARGV[4])
        local CFG_DEAD_MAX = tonumber(ARGV[5])
        local CFG_SIGNAL_CAP = tonumber(ARGV[6])
        local CFG_IDEM_TTL = tonumber(ARGV[7])
        local CFG_OUTBOX = ARGV[8] == '1'
        local A = 8

        -- Redis 7.0 prints every Lua number passed to redis.call with %.17g, a costly
        -- conversion: the per-job calls pass strings, each value converted once per script call.
        local STRINGS = {}
        local function str(n)
            local s = STRINGS[n]
            if not s then
                if n == math.floor(n) and n > -2 ^ 52 and n < 2 ^ 52 then s = string.format('%d', n) else s = tostring(n) end
                STRINGS[n] = s
            end
            return s
        end

        local function now_ms()
            local t = redis.call('TIME')
            return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end

        local function emit(id, state, attempt)
            if CFG_EVENTS_MAXLEN > 0 then
                redis.call('XADD', K_EVENTS, 'MAXLEN', '~', ARGV[1], '*',
                    'job', id, 'state', state, 'attempt', attempt or '')
            end
        end

        -- Writes a call gathers and makes once at its end (`flush_later`, run after every
        -- script body) instead of once per job: members added to a zset that nothing reads
        -- again in the same call (leases, finished jobs, a bulk enqueue's ready index), the
        -- queue's counters and the trim of the finished index.
        local LATER, LATER_KEYS, COUNTS, COUNTED, TRIM_FINISHED = {}, {}, {}, {}, false

        -- `map[key]`, a new table the first time, whose key is then added to `order` (the
        -- order the end-of-call writes go in).
        local function entry(map, order, key)
            local t = map[key]
            if not t then
                t = {}
                map[key] = t
                order[#order + 1] = key
            end
            return t
        end

        local function zadd_later(key, score, member)
            local pairs_ = entry(LATER, LATER_KEYS, key)
            pairs_[#pairs_ + 1] = score
            pairs_[#pairs_ + 1] = member
        end

        local function count_later(field, n)
            if not COUNTS[field] then COUNTED[#COUNTED + 1] = field end
            COUNTS[field] = (COUNTS[field] or 0) + n
        end

        -- Records a state the system of record must learn about (terminal, dead, requeued).
        local function record(id, jk, state, now)
            if not CFG_OUTBOX then return end
            local f = redis.call('HMGET', jk, 'attempts', 'error_code', 'error_message', 'result',
                'claimed_ms', 'worker', 'progress', 'kind')
            redis.call('LPUSH', K_OUTBOX, cjson.encode({
                id = id, state = state, at = now, attempts = tonumber(f[1]) or 0,
                error_code = f[2] or nil, error_message = f[3] or nil, result = f[4] or nil,
                started = tonumber(f[5]) or nil, worker = f[6] or nil, kind = f[8] or nil }))
        end

        -- Keeps a parent batch's children counted by state as they move — queued (waiting,
        -- delayed or retrying), running, succeeded, failed, canceled, dead — so a batch is
        -- never recounted; kept as long as results are. The moves of one script call are summed
        -- per batch and written once at its end (`flush_later`, run after every script body),
        -- so a claim or ack of 64 children costs a few calls, not 64 times a few.
        local TALLIES, TALLIED = {}, {}
        local function tally(parent, from, to)
            if not parent or parent == '' then return end
            local counts = entry(TALLIES, TALLIED, parent)
            if from then counts[from] = (counts[from] or 0) - 1 end
            if to then counts[to] = (counts[to] or 0) + 1 end
        end

        local function signal(count)
            if count <= 0 then return end
            local room = CFG_SIGNAL_CAP - redis.call('LLEN', K_SIGNAL)
            if count > room then count = room end
            if count <= 0 then return end
            local marks = {}
            for i = 1, count do marks[i] = '1' end
            redis.call('RPUSH', K_SIGNAL, unpack(marks))
        end

        local function trim(key, keep, delete_hashes)
            local extra = redis.call('ZCARD', key) - keep
            if extra <= 0 then return end
            if delete_hashes then
                local old = redis.call('ZRANGE', key, 0, extra - 1)
                for _, id in ipairs(old) do redis.call('DEL', K_JOB .. id) end
            end
            redis.call('ZREMRANGEBYRANK', key, 0, extra - 1)
        end

        -- succeeded, failed or canceled: kept for the result TTL, then gone from Redis. `extra`:
        -- more fields to write with the state (name, value, …). A finished job's
        -- lease_deadline_ms is stale and not read (snapshots read it while the job runs).
        local function finish(id, jk, state, now, parent, from, extra)
            tally(parent, from, state)
            local now_s = str(now)
            if extra then
                redis.call('HSET', jk, 'state', state, 'finished_ms', now_s, unpack(extra))
            else
                redis.call('HSET', jk, 'state', state, 'finished_ms', now_s)
            end
            zadd_later(K_FINISHED, now_s, id)
            TRIM_FINISHED = true
            redis.call('EXPIRE', jk, CFG_RESULT_TTL)
            count_later(state .. '_total', 1)
            emit(id, state)
            record(id, jk, state, now)
        end

        local function bury(id, jk, now, parent, from)
            tally(parent, from, 'dead')
            redis.call('HSET', jk, 'state', 'dead', 'finished_ms', now)
            redis.call('HDEL', jk, 'lease_deadline_ms')
            redis.call('ZADD', K_DEAD, now, id)
            trim(K_DEAD, CFG_DEAD_MAX, true)
            redis.call('HINCRBY', K_META, 'dead_total', 1)
            emit(id, 'dead')
            record(id, jk, 'dead', now)
        end

        -- The attempt id fences every change a worker makes: only the current attempt of a
        -- running job may touch it.
        local function fence(jk, attempt)
            local f = redis.call('HMGET', jk, 'state', 'attempt_id')
            if not f[1] then return 'VJ_NOT_FOUND' end
            if f[2] ~= attempt or (f[1] ~= 'starting' and f[1] ~= 'processing') then
                return 'VJ_STALE_ATTEMPT'
            end
            return nil
        end

        local function flush_later()
            for _, key in ipairs(LATER_KEYS) do
                local members = LATER[key]
                for i = 1, #members, 2000 do
                    redis.call('ZADD', key, unpack(members, i, math.min(i + 1999, #members)))
                end
            end
            if TRIM_FINISHED then trim(K_FINISHED, CFG_FINISHED_MAX, false) end
            for _, field in ipairs(COUNTED) do
                if COUNTS[field] ~= 0 then redis.call('HINCRBY', K_META, field, COUNTS[field]) end
            end
            local base = string.sub(K_JOB, 1, #K_JOB - 4)
            for _, parent in ipairs(TALLIED) do
                local key = base .. 'batch:' .. parent
                local counts = TALLIES[parent]
                for state, delta in pairs(counts) do
                    if delta ~= 0 then redis.call('HINCRBY', key, state, delta) end
                end
                redis.call('EXPIRE', key, CFG_RESULT_TTL)
                -- A batch with a window leaves the windows index once nothing of it is left to
                -- run, so a mode advice reads only batches still open.
                if (counts.queued or 0) < 0 or (counts.running or 0) < 0 then
                    local open = redis.call('HMGET', key, 'queued', 'running')
                    if (tonumber(open[1]) or 0) <= 0 and (tonumber(open[2]) or 0) <= 0 then
                        redis.call('ZREM', base .. 'windows', parent)
                    end
                end
            end
        end

        """#
}
