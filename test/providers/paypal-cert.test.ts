import { X509Certificate } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.doUnmock("node:crypto");
  vi.resetModules();
});

/** makeTestCertificate with randomBytes giving `first` then random bytes: the serial number's start. */
async function certificateWithSerialStart(first: number[]) {
  vi.resetModules();
  vi.doMock("node:crypto", async (original) => {
    const real = await original<typeof import("node:crypto")>();
    return {
      ...real,
      randomBytes: (n: number) => Buffer.concat([Buffer.from(first), real.randomBytes(n - first.length)]),
    };
  });
  const { makeTestCertificate } = await import("../../src/providers/paypal-cert.js");
  return new X509Certificate(makeTestCertificate(new Date(1_700_000_000_000)).cert);
}

describe("the generated PayPal test certificate", () => {
  it.each([
    ["a zero first byte", [0x00, 0x01]],
    ["all zeros", [0x00, 0x00, 0x00]],
    ["a top bit set", [0x80]],
    ["all ones", [0xff, 0xff]],
  ])("parses whatever the random serial starts with: %s", async (_label, first) => {
    const x509 = await certificateWithSerialStart(first);
    // Sixteen bytes, positive, no leading zero: DER's one form for it.
    expect(x509.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
    expect(x509.verify(x509.publicKey)).toBe(true);
  });
});
