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
    ]
}
