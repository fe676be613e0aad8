import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

// A minimal DER writer: just enough of X.509 for one self-signed RSA certificate, so no openssl is needed.
function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...parts: Buffer[]) => {
  const content = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
};
const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
const utcTime = (date: Date) =>
  tlv(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-:T]/g, "")}Z`));
const name = (cn: string) => seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(cn)))));
const SHA256_WITH_RSA = seq(oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00]));

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n")}-----END ${label}-----\n`;

/** A fresh RSA key and a self-signed certificate for it, valid for ten years from `now`. */
export function makeTestCertificate(
  now: Date,
  commonName = "hook local PayPal test",
): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const serial = randomBytes(16);
  // DER: a positive INTEGER (top bit clear) in its shortest form (no leading zero byte), else OpenSSL
  // refuses the certificate ("illegal padding"): one in 256 random serials would.
  serial[0] = ((serial[0] ?? 0) & 0x3f) | 0x40;
  const until = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version 3
    tlv(0x02, serial),
    SHA256_WITH_RSA,
    name(commonName),
    seq(utcTime(new Date(now.getTime() - 60_000)), utcTime(until)),
    name(commonName),
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbs, privateKey);
  const cert = seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    cert: pem("CERTIFICATE", cert),
  };
}

interface TestKeys {
  keyPath: string;
  certPath: string;
}

/** Where `hook` keeps its generated PayPal test key pair: <data dir>/paypal/{key,cert}.pem. */
export function testKeyPaths(dataDir = ".hook"): TestKeys {
  const dir = resolve(dataDir, "paypal");
  return { keyPath: join(dir, "key.pem"), certPath: join(dir, "cert.pem") };
}

/**
 * The local test key pair, made on first use. Both files are written into a temporary folder that is
 * then renamed into place, so two processes starting at once can never pair one's key with the
 * other's certificate: the loser of the rename uses the winner's pair.
 */
export function ensureTestKeys(dataDir: string | undefined, now: Date): TestKeys {
  const paths = testKeyPaths(dataDir);
  if (existsSync(paths.certPath) && existsSync(paths.keyPath)) return paths;
  const target = dirname(paths.keyPath);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  mkdirSync(temp, { recursive: true });
  const { key, cert } = makeTestCertificate(now);
  writeFileSync(join(temp, "key.pem"), key, { mode: 0o600 });
  writeFileSync(join(temp, "cert.pem"), cert);
  try {
    renameSync(temp, target);
  } catch {
    rmSync(temp, { recursive: true, force: true });
  }
  return paths;
}
