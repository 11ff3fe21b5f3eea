import { describe, expect, it } from "vitest";
import { alertmanagerConfig, demoAlertRules, receiverSnippet } from "@/lib/runtime/alertmanager-local";

describe("the Alertmanager configuration npm start writes", () => {
  const config = alertmanagerConfig({
    webhookUrl: "http://127.0.0.1:3000/api/alerts/alertmanager",
    credentialsFile: "/srv/greenlight/.data/alertmanager/webhook-token",
  });

  it("routes everything to Greenlight with the token from a file, resolved alerts included", () => {
    expect(config).toContain("  receiver: greenlight\n");
    expect(config).toContain('    - url: "http://127.0.0.1:3000/api/alerts/alertmanager"\n');
    expect(config).toContain("      send_resolved: true\n");
    expect(config).toContain("          type: Bearer\n");
    expect(config).toContain('          credentials_file: "/srv/greenlight/.data/alertmanager/webhook-token"');
    expect(config).not.toMatch(/credentials: /);
  });

  it("groups per alert, service and environment and waits one second", () => {
    expect(config).toContain("  group_by: [alertname, service, environment]\n");
    expect(config).toContain("  group_wait: 1s\n");
    expect(config).toContain("  repeat_interval: 1h\n");
  });

  it("offers the token inline when there is no file to point at", () => {
    expect(receiverSnippet({ webhookUrl: "https://greenlight.example.com/api/alerts/alertmanager" })).toContain(
      "credentials: <the value of ALERTMANAGER_TOKEN>",
    );
  });
});

describe("the demo alert rule", () => {
  it("fires on the 5xx share over 5% for 30 s, labelled as the demo targets match by default", () => {
    const rules = demoAlertRules();
    expect(rules).toContain("alert: GreenlightDemoHighErrorRate");
    expect(rules).toContain("> 0.05,");
    expect(rules).toContain("for: 30s");
    expect(rules).toContain('"service", "$1", "app", "(.+)"');
    expect(rules).toContain('"environment", "$1", "namespace", "shop-(.+)"');
    expect(rules).toContain("severity: high");
  });
});
