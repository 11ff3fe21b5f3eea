import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const release = {
  id: "rel1",
  number: 42,
  imageRef: "registry.example/shop/checkout:1.2.3",
  revision: 2,
  service: { displayName: "Checkout <!channel>" },
  environment: { displayName: "Prod & <@U024BE7LH>" },
};

vi.mock("@/lib/db", () => ({
  db: { release: { findUnique: vi.fn(async () => release) } },
}));

const { notifyRelease, notifyRollback, slackText } = await import("@/lib/notifications/slack");

/** Every way person-typed text could ping people or inject a link, in Slack's message syntax. */
const HOSTILE = [
  "<!channel>",
  "<!here>",
  "<!everyone>",
  "<!subteam^S0123|@oncall>",
  "<@U024BE7LH>",
  "<#C024BE7LR>",
  "<https://evil.example|click me>",
  "@channel",
  "@here",
  "@everyone",
  "@Channel",
  "ping @here now",
];

/** What Slack would turn into a mention, a special command or a link. */
function expectInert(text: string) {
  expect(text).not.toMatch(/<[!@#]/);
  expect(text).not.toMatch(/<https?:\/\/evil/);
  expect(text).not.toMatch(/(^|[^\w])@(channel|here|everyone)\b/i);
}

describe("slackText", () => {
  it("escapes &, < and > as Slack asks, & first so entities are not double-read", () => {
    expect(slackText("a & b < c > d")).toBe("a &amp; b &lt; c &gt; d");
    expect(slackText("&lt;!channel&gt;")).toBe("&amp;lt;!channel&amp;gt;");
  });

  it.each(HOSTILE)("makes %j inert", (input) => expectInert(slackText(input)));

  it("leaves ordinary text and e-mail addresses alone", () => {
    expect(slackText("Rolled back to 1.4.2, ask ana@example.com")).toBe("Rolled back to 1.4.2, ask ana@example.com");
    expect(slackText("@channelling")).toBe("@channelling");
  });
});

describe("messages sent to Slack", () => {
  const bodies: { text: string }[] = [];
  beforeEach(() => {
    bodies.length = 0;
    process.env.SLACK_WEBHOOK_URL = "https://hooks.slack.invalid/T/B/X";
    process.env.APP_URL = "https://greenlight.example";
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        bodies.push(JSON.parse(String(init.body)) as { text: string });
        return new Response("ok");
      }),
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    delete process.env.SLACK_WEBHOOK_URL;
    delete process.env.APP_URL;
  });

  it.each(HOSTILE)("escape a rejection by %j with that comment", async (hostile) => {
    await notifyRelease("rel1", "rejected", { role: "CTO", by: `Mallory ${hostile}`, comment: `no ${hostile} & <b>` });
    expect(bodies).toHaveLength(1);
    const text = bodies[0].text;
    // The one link is Greenlight's own.
    expect(text.match(/</g)).toHaveLength(1);
    expect(text).toContain("<https://greenlight.example/releases/rel1|open>");
    expectInert(text.replace("<https://greenlight.example/releases/rel1|open>", ""));
    expect(text).toContain("Checkout &lt;!channel&gt;");
    expect(text).toContain("Prod &amp; &lt;@U024BE7LH&gt;");
    expect(text).toContain("&amp; &lt;b&gt;");
  });

  it.each(["approved", "awaiting", "deployed"] as const)("escape the release's names when %s", async (event) => {
    await notifyRelease("rel1", event, { role: "CTO", by: "@everyone <!here>" });
    const text = bodies[0].text.replace(" <https://greenlight.example/releases/rel1|open>", "");
    expectInert(text);
    expect(text).not.toContain("<");
  });

  it.each(HOSTILE)("escape an automatic rollback's summary %j", async (hostile) => {
    await notifyRollback("rel1", `checkout in production is being rolled back automatically: ${hostile}`);
    const text = bodies[0].text.replace(" <https://greenlight.example/releases/rel1|open>", "");
    expect(text.startsWith(":rewind: checkout in production")).toBe(true);
    expectInert(text);
    expect(text).not.toContain("<");
  });
});
