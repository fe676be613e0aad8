import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check, flipOneByte } from "./helpers.js";

const websub = getProvider("websub");
const now = new Date(1_700_000_000_000);
const atom = `<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">
 <entry>
  <id>yt:video:VIDEO_ID</id>
  <yt:videoId>VIDEO_ID</yt:videoId>
  <yt:channelId>CHANNEL_ID</yt:channelId>
  <title>Vidéo title</title>
 </entry>
</feed>
`;

describe("websub", () => {
  it("reproduces the providers.md vector (sha1, Google's hub)", () => {
    expect(websub.sign({ body: bytes("<feed/>"), secret: "hubsecret", timestamp: now })).toEqual({
      "X-Hub-Signature": "sha1=48baeb85e2153a4a692fcb75ffd634ead2fa1c55",
    });
  });

  it("verifies every method the spec names", () => {
    for (const method of ["sha1", "sha256", "sha384", "sha512"]) {
      const header = `${method}=${createHmac(method, "hubsecret").update(atom).digest("hex")}`;
      expect(check(websub, bytes(atom), { "X-Hub-Signature": header }, ["hubsecret"], now)).toEqual({
        ok: true,
      });
      expect(
        check(websub, flipOneByte(bytes(atom)), { "X-Hub-Signature": header }, ["hubsecret"], now).ok,
      ).toBe(false);
    }
    const signed = getProvider("websub", { algorithm: "sha512" }).sign({
      body: bytes(atom),
      secret: "s",
      timestamp: now,
    });
    expect(signed["X-Hub-Signature"]).toMatch(/^sha512=[0-9a-f]{128}$/);
    expect(check(websub, bytes(atom), { "X-Hub-Signature": "md5=00" }, ["s"], now)).toMatchObject({
      code: "malformed-header",
    });
    expect(() => getProvider("websub", { algorithm: "md5" })).toThrow(/--algorithm/);
  });

  it("answers the hub's GET verification with hub.challenge and ignores other GETs", () => {
    const get = (url: string) =>
      websub.handshake?.({ method: "GET", url, headers: new Headers(), body: bytes("") });
    expect(
      get(
        "/yt?hub.mode=subscribe&hub.topic=https%3A%2F%2Fwww.youtube.com%2Fxml&hub.challenge=abc123&hub.lease_seconds=432000",
      ),
    ).toEqual({
      status: 200,
      headers: { "content-type": "text/plain" },
      body: "abc123",
      unsigned: true,
    });
    expect(get("/yt?hub.mode=unsubscribe&hub.challenge=z")?.body).toBe("z");
    expect(get("/yt")).toBeUndefined();
    expect(
      websub.handshake?.({
        method: "POST",
        url: "/yt?hub.challenge=x&hub.mode=subscribe",
        headers: new Headers(),
        body: bytes(""),
      }),
    ).toBeUndefined();
  });

  it("describes a YouTube notification by video id", () => {
    expect(websub.describe(bytes(atom), new Headers())).toEqual({ type: "video", id: "VIDEO_ID" });
    expect(websub.describe(bytes("\xff not xml"), new Headers())).toEqual({ type: undefined, id: undefined });
  });

  it("describes deleted entries, plain Atom entries, and anything else as nothing", () => {
    const deleted =
      '<feed xmlns:at="http://purl.org/atompub/tombstones/1.0"><at:deleted-entry ref="yt:video:GONE" when="2024-01-01T00:00:00+00:00"/></feed>';
    expect(websub.describe(bytes(deleted), new Headers())).toEqual({ type: "deleted", id: "yt:video:GONE" });
    const entry = "<feed><entry><id> urn:uuid:1 </id><title>Post</title></entry></feed>";
    expect(websub.describe(bytes(entry), new Headers())).toEqual({ type: "entry", id: "urn:uuid:1" });
    expect(websub.describe(bytes("<feed><title></title></feed>"), new Headers())).toEqual({
      type: undefined,
      id: undefined,
    });
  });

  it("names the malformed part, needs a secret, and answers a denial", () => {
    const reason = (value: string, secrets = ["s"]) => {
      const verdict = check(websub, bytes(atom), { "X-Hub-Signature": value }, secrets, now);
      return verdict.ok ? "ok" : verdict.reason;
    };
    expect(reason("md4=00")).toBe(
      'X-Hub-Signature header is malformed: method "md4" is not sha1, sha256, sha384 or sha512',
    );
    expect(reason("SHA1=zz")).toBe("X-Hub-Signature header is malformed: after SHA1= comes a hex digest");
    expect(reason("sha1=00", [])).toBe("no secret to verify with");
    expect(check(websub, bytes(atom), { "X-Hub-Signature": "sha1=00" }, ["s"], now)).toMatchObject({
      code: "no-match",
      hint: expect.stringContaining("hub.secret"),
    });
    expect(check(websub, bytes(atom), {}, ["s"], now)).toMatchObject({
      reason: "X-Hub-Signature header is missing",
    });
    const get = (url: string) =>
      websub.handshake?.({ method: "GET", url, headers: new Headers(), body: bytes("") });
    expect(get("/yt?hub.mode=denied&hub.reason=nope")).toEqual({
      status: 200,
      headers: { "content-type": "text/plain" },
      body: "",
      unsigned: true,
    });
    expect(get("/yt?hub.mode=subscribe")).toBeUndefined();
    expect(get("/yt?hub.mode=other&hub.challenge=z")).toBeUndefined();
    expect(
      websub.handshake?.({
        method: "POST",
        url: "/yt?hub.mode=subscribe&hub.challenge=z",
        headers: new Headers(),
        body: bytes(""),
      }),
    ).toBeUndefined();
  });
});
