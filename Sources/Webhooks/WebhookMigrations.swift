public import PostgresClient

/// The webhook tables, after the job records' (`jobs.webhook_url` is job record migration 2).
///
/// A delivery is born in the same transaction as the terminal state it reports: a trigger on
/// `jobs` writes it when the record sync moves a job with a `webhook_url` to a terminal state.
/// Its id (`msg_<job>_<state time>`) is the `webhook-id` every attempt sends, so a receiver
/// deduplicates redeliveries, and a transition synced twice makes one delivery.
public enum WebhookMigrations {
    public static let all: [PostgresMigration] = [
        PostgresMigration(
            version: 400, name: "webhooks",
            sql: """
                CREATE TABLE webhook_settings (
                    tenant text PRIMARY KEY,
                    url text,
                    events text NOT NULL DEFAULT 'job.succeeded,job.failed,job.canceled,job.dead',
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE webhook_secrets (
                    id text PRIMARY KEY,
                    tenant text NOT NULL,
                    secret text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz
                );
                CREATE INDEX webhook_secrets_tenant ON webhook_secrets (tenant, created_at DESC);
                CREATE TABLE webhook_deliveries (
                    id text PRIMARY KEY,
                    job_id uuid NOT NULL,
                    tenant text NOT NULL,
                    url text NOT NULL,
                    event text NOT NULL,
                    occurred_at timestamptz NOT NULL,
                    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    locked_until timestamptz,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    finished_at timestamptz,
                    last_status integer,
                    last_error text
                );
                CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
                CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id);
                CREATE TABLE webhook_attempts (
                    delivery_id text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
                    attempt integer NOT NULL,
                    at timestamptz NOT NULL DEFAULT now(),
                    status integer,
                    error text,
                    latency_ms integer NOT NULL,
                    PRIMARY KEY (delivery_id, attempt)
                );
                CREATE FUNCTION velocity_webhook_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.webhook_events IS NOT NULL
                        AND NOT ('job.' || NEW.state) = ANY (string_to_array(NEW.webhook_events, ',')) THEN
                        RETURN NEW;
                    END IF;
                    INSERT INTO webhook_deliveries (id, job_id, tenant, url, event, occurred_at)
                    VALUES (
                        'msg_' || replace(NEW.id::text, '-', '') || '_' || coalesce(NEW.state_at_ms::text, NEW.state),
                        NEW.id, NEW.tenant, NEW.webhook_url, 'job.' || NEW.state,
                        coalesce(to_timestamp(NEW.state_at_ms / 1000.0), now()))
                    ON CONFLICT (id) DO NOTHING;
                    RETURN NEW;
                END
                $$;
                CREATE TRIGGER jobs_webhook_delivery AFTER UPDATE OF state ON jobs FOR EACH ROW
                    WHEN (NEW.webhook_url IS NOT NULL AND OLD.state IS DISTINCT FROM NEW.state
                          AND NEW.state IN ('succeeded', 'failed', 'canceled', 'dead'))
                    EXECUTE FUNCTION velocity_webhook_delivery();
                """),
        // An OpenAI batch's end (gateway migration 105 gives batches their webhook columns): the
        // trigger keeps the batch object as it ended, in `GET /v1/batches/{id}`'s shape, as
        // the delivery's document, so the body is what the batch was when it ended.
        PostgresMigration(
            version: 401, name: "batch webhooks",
            sql: """
                ALTER TABLE webhook_deliveries ALTER COLUMN job_id DROP NOT NULL,
                    ADD COLUMN batch_id text, ADD COLUMN document jsonb;
                CREATE INDEX webhook_deliveries_batch ON webhook_deliveries (batch_id) WHERE batch_id IS NOT NULL;
                CREATE FUNCTION velocity_batch_webhook_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.webhook_events IS NOT NULL
                        AND NOT ('batch.' || NEW.status) = ANY (string_to_array(NEW.webhook_events, ',')) THEN
                        RETURN NEW;
                    END IF;
                    INSERT INTO webhook_deliveries (id, batch_id, tenant, url, event, occurred_at, document)
                    VALUES (
                        'msg_' || NEW.id || '_' || NEW.status, NEW.id, NEW.tenant, NEW.webhook_url, 'batch.' || NEW.status,
                        now(),
                        jsonb_build_object(
                            'id', NEW.id, 'object', 'batch', 'endpoint', NEW.endpoint,
                            'errors', CASE WHEN NEW.errors IS NULL THEN NULL
                                ELSE jsonb_build_object('object', 'list', 'data', NEW.errors::jsonb) END,
                            'input_file_id', NEW.input_file_id, 'completion_window', NEW.completion_window,
                            'status', NEW.status, 'output_file_id', NEW.output_file_id,
                            'error_file_id', NEW.error_file_id,
                        'created_at', floor(extract(epoch FROM NEW.created_at))::bigint,
                        'in_progress_at', floor(extract(epoch FROM NEW.in_progress_at))::bigint,
                        'expires_at', floor(extract(epoch FROM NEW.expires_at))::bigint,
                        'finalizing_at', floor(extract(epoch FROM NEW.finalizing_at))::bigint,
                        'completed_at', floor(extract(epoch FROM NEW.completed_at))::bigint,
                        'failed_at', floor(extract(epoch FROM NEW.failed_at))::bigint,
                        'expired_at', floor(extract(epoch FROM NEW.expired_at))::bigint,
                        'cancelling_at', floor(extract(epoch FROM NEW.cancelling_at))::bigint,
                        'cancelled_at', floor(extract(epoch FROM NEW.cancelled_at))::bigint,
                            'request_counts', jsonb_build_object(
                                'total', NEW.total, 'completed', NEW.completed, 'failed', NEW.failed),
                            'metadata', NEW.metadata::jsonb))
                    ON CONFLICT (id) DO NOTHING;
                    RETURN NEW;
                END
                $$;
                CREATE TRIGGER batches_webhook_delivery AFTER UPDATE OF status ON batches FOR EACH ROW
                    WHEN (NEW.webhook_url IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status
                          AND NEW.status IN ('completed', 'failed', 'expired', 'cancelled'))
                    EXECUTE FUNCTION velocity_batch_webhook_delivery();
                """),
        // A CRM import's steps (platform migration 305 gives crm_import_batches their webhook
        // columns): where it waits for a person (mapping, review) and its end. The document is
        // the batch's counts and links; `GET /api/crm/imports/{id}` has the rest. A batch can be
        // in review more than once (a mapping edit proposes again): the id names the moment.
        PostgresMigration(
            version: 402, name: "crm import webhooks",
            sql: """
                ALTER TABLE webhook_deliveries ADD COLUMN crm_import_id uuid;
                CREATE INDEX webhook_deliveries_crm_import ON webhook_deliveries (crm_import_id)
                    WHERE crm_import_id IS NOT NULL;
                CREATE FUNCTION velocity_crm_import_webhook_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    base text := '/api/crm/imports/' || NEW.id;
                BEGIN
                    IF NEW.webhook_events IS NOT NULL
                        AND NOT ('crm_import.' || NEW.status) = ANY (string_to_array(NEW.webhook_events, ',')) THEN
                        RETURN NEW;
                    END IF;
                    INSERT INTO webhook_deliveries (id, crm_import_id, tenant, url, event, occurred_at, document)
                    VALUES (
                        'msg_' || replace(NEW.id::text, '-', '') || '_' || NEW.status || '_'
                            || (extract(epoch FROM NEW.updated_at) * 1000)::bigint,
                        NEW.id, NEW.tenant_id, NEW.webhook_url, 'crm_import.' || NEW.status, NEW.updated_at,
                        jsonb_build_object(
                            'id', NEW.id, 'object', 'crm.import_batch', 'status', NEW.status,
                            'uploaded_filename', NEW.uploaded_filename, 'sha256', NEW.sha256,
                            'source_system', NEW.source_system, 'row_count', NEW.row_count,
                            'rows_read', NEW.rows_read, 'rows_with_errors', NEW.rows_with_errors,
                            'proposals', NEW.proposals, 'committed', NEW.committed, 'error', NEW.error,
                            'uploaded_by', NEW.uploaded_by,
                            'created_at', to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                            'updated_at', to_char(NEW.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                            'urls', jsonb_build_object(
                                'self', base, 'review', base || '/review-proposal', 'commit', base || '/commit',
                                'errors', base || '/errors')))
                    ON CONFLICT (id) DO NOTHING;
                    RETURN NEW;
                END
                $$;
                CREATE TRIGGER crm_import_batches_webhook_delivery AFTER UPDATE OF status ON crm_import_batches
                    FOR EACH ROW
                    WHEN (NEW.webhook_url IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status
                          AND NEW.status IN ('awaiting_mapping', 'in_review', 'committed', 'failed'))
                    EXECUTE FUNCTION velocity_crm_import_webhook_delivery();
                """),
        // A running job's progress milestones (job record migration 4): the record sync inserts
        // them from the outbox, and a job whose webhook lists `job.progress` gets a delivery of
        // each, its id naming the milestone so a replayed insert sends nothing twice.
        PostgresMigration(
            version: 403, name: "job progress webhooks",
            sql: """
                CREATE FUNCTION velocity_milestone_webhook_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    j record;
                BEGIN
                    SELECT id, tenant, kind, queue, webhook_url, webhook_events INTO j FROM jobs WHERE id = NEW.job_id;
                    IF NOT FOUND OR j.webhook_url IS NULL OR j.webhook_events IS NULL
                        OR NOT 'job.progress' = ANY (string_to_array(j.webhook_events, ',')) THEN
                        RETURN NEW;
                    END IF;
                    INSERT INTO webhook_deliveries (id, job_id, tenant, url, event, occurred_at, document)
                    VALUES (
                        'msg_' || replace(NEW.job_id::text, '-', '') || '_progress_' || NEW.percent, NEW.job_id, j.tenant,
                        j.webhook_url, 'job.progress', NEW.reached_at,
                        jsonb_build_object(
                            'id', j.id::text, 'kind', j.kind, 'queue', j.queue, 'tenant', j.tenant,
                            'status', 'processing', 'progress', NEW.percent / 100.0))
                    ON CONFLICT (id) DO NOTHING;
                    RETURN NEW;
                END
                $$;
                CREATE TRIGGER job_milestones_webhook_delivery AFTER INSERT ON job_milestones FOR EACH ROW
                    EXECUTE FUNCTION velocity_milestone_webhook_delivery();
                """),
    ]
}
