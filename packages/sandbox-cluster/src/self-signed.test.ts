import { createSecureContext } from "node:tls";
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSelfSignedCertificate } from "./self-signed";

describe("the sandbox's self-signed certificate", () => {
  it("is valid DER every time (a serial starting with 0x00 once broke 1 start in 128)", () => {
    for (let i = 0; i < 400; i++) {
      const { certPem, keyPem } = createSelfSignedCertificate();
      expect(() => createSecureContext({ cert: certPem, key: keyPem })).not.toThrow();
    }
  });

  it("names 127.0.0.1 and localhost and signs itself", () => {
    const cert = new X509Certificate(createSelfSignedCertificate().certPem);
    expect(cert.subjectAltName).toBe("IP Address:127.0.0.1, DNS:localhost");
    expect(cert.verify(cert.publicKey)).toBe(true);
  });
});
