-- Pages that show a run (release page, service page) are told the moment it changes instead of
-- polling: every change they display NOTIFYs channel run_changed with the run id, and each app
-- process LISTENs on one connection (lib/deploy/run-stream.ts). NOTIFY is sent at commit, and
-- identical payloads within one transaction are folded into one, so a step that writes its event
-- and the run in one statement costs one notification.

CREATE FUNCTION run_events_notify_run_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('run_changed', NEW.run_id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER run_events_notify
  AFTER INSERT ON "run_events"
  FOR EACH ROW EXECUTE FUNCTION run_events_notify_run_changed();

CREATE FUNCTION deployment_runs_notify_run_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('run_changed', NEW.id);
  RETURN NULL;
END;
$$;

-- Only columns the progress view shows: lease renewals and state writes (several a second on a
-- busy worker) change none of them and stay silent.
CREATE TRIGGER deployment_runs_notify
  AFTER UPDATE ON "deployment_runs"
  FOR EACH ROW
  WHEN ((OLD.status, OLD.current_step, OLD.traffic_switched_at, OLD.outcome, OLD.verification,
         OLD.verify_until, OLD.verification_note, OLD.control_request, OLD.started_at, OLD.finished_at,
         OLD.from_image, OLD.to_image)
        IS DISTINCT FROM
        (NEW.status, NEW.current_step, NEW.traffic_switched_at, NEW.outcome, NEW.verification,
         NEW.verify_until, NEW.verification_note, NEW.control_request, NEW.started_at, NEW.finished_at,
         NEW.from_image, NEW.to_image))
  EXECUTE FUNCTION deployment_runs_notify_run_changed();
