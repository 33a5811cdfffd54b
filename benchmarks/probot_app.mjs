// The Probot side of the ack benchmark: Probot's own server (`run`, as `probot run` starts an
// app) with handlers that do nothing. Probot verifies X-Hub-Signature-256 with WEBHOOK_SECRET
// and answers 200 once its handlers have run; it stores nothing. Credentials come from the
// environment (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, HOST, PORT, LOG_LEVEL), set by
// benchmarks/ack_contenders.py.
import { run } from "probot";

await run((app) => {
  app.on(["pull_request", "issue_comment"], async () => {});
});
