/**
 * A self-signed certificate for the sandbox's HTTPS side, built with node:crypto alone
 * (a minimal DER encoder; no openssl, no npm package).
 *
 * Why TLS at all: kubectl (client-go's clientcmd) only sends credentials over https. On a
 * plain http:// server it goes anonymous, so a token-checking sandbox would answer it 401.
 * The sandbox therefore speaks both on one port: plain HTTP for anything that wants it,
 * and HTTPS for the kubeconfig, trusted through `certificate-authority-data`.
 */
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(value.length), value]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, item: Buffer) => tlv(0xa0 + n, item);
const octets = (value: Buffer) => tlv(0x04, value);
const bitString = (value: Buffer, unusedBits = 0) => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), value]));
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, "utf8"));
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));

function integer(value: Buffer): Buffer {
  // DER integers are signed: prefix a zero byte when the high bit is set.
  return tlv(0x02, value[0] & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * a + b];
  for (const part of rest) {
    const chunk = [part & 0x7f];
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, "0");
  const text = `${p(date.getUTCFullYear() % 100)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, "ascii"));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function pem(label: string, der: Buffer): string {
  const body = der.toString("base64").replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

export interface SelfSignedCertificate {
  certPem: string;
  keyPem: string;
}

/** An ECDSA P-256 certificate for 127.0.0.1 and localhost, valid for a year, usable as its own CA. */
export function createSelfSignedCertificate(commonName = "greenlight-sandbox"): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const ecdsaWithSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const name = seq(set(seq(oid("2.5.4.3"), utf8(commonName))));
  const serial = randomBytes(16);
  // Positive, and with a non-zero first byte: DER integers are minimal, so a leading 0x00 (1 in
  // 128 serials) would be "illegal padding" to OpenSSL.
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const now = Date.now();
  const subjectAltName = seq(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from("localhost", "ascii")));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    name,
    seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 365 * 86_400_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    explicit(
      3,
      seq(
        extension("2.5.29.19", true, seq(bool(true))),
        // digitalSignature (bit 0) and keyCertSign (bit 5)
        extension("2.5.29.15", true, bitString(Buffer.from([0x84]), 2)),
        extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))),
        extension("2.5.29.17", false, subjectAltName),
      ),
    ),
  );
  const signature = sign("sha256", tbs, { key: privateKey, dsaEncoding: "der" });
  const certificate = seq(tbs, ecdsaWithSha256, bitString(signature));
  return {
    certPem: pem("CERTIFICATE", certificate),
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
