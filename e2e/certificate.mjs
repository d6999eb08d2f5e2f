// A throwaway CA and a certificate it signed for `localhost` and 127.0.0.1, made with the
// `openssl` command line when a test first needs one, and what a browser or a client
// needs to trust it without touching the system's store:
//
// - Chromium: `--ignore-certificate-errors-spki-list=<spki>`, the base64 SHA-256 of the
//   certificate's public key (SubjectPublicKeyInfo, DER);
// - node: the CA file, as `ca` of an `https` request.
//
//   node e2e/certificate.mjs DIR    writes the files to DIR and prints { cert, key, ca, spki }
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function openssl(args, options = {}) {
  try {
    return execFileSync("openssl", args, { stdio: ["pipe", "pipe", "pipe"], ...options });
  } catch (error) {
    if (error.code === "ENOENT") throw new Error("openssl is missing (Debian package openssl; scripts/test-all.sh installs it)");
    throw new Error(`openssl ${args.join(" ")} failed: ${error.stderr?.toString() ?? error.message}`);
  }
}

/** The base64 SHA-256 of the public key of the PEM certificate in `cert`. */
export function spkiHash(cert) {
  const publicKey = openssl(["x509", "-in", cert, "-pubkey", "-noout"]);
  const der = openssl(["pkey", "-pubin", "-outform", "der"], { input: publicKey });
  return openssl(["dgst", "-sha256", "-binary"], { input: der }).toString("base64");
}

/**
 * Writes `ca.pem`, `cert.pem` (localhost and 127.0.0.1, signed by the CA) and its key
 * `key.pem`, all P-256, to `dir`. Returns their paths and the certificate's SPKI hash.
 */
export function makeCertificate(dir) {
  mkdirSync(dir, { recursive: true });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  const run = (args) => openssl(args, { cwd: dir });
  run(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=hyper-assets e2e CA"]);
  run(["req", ...ec, "-keyout", "key.pem", "-out", "cert.csr", "-subj", "/CN=localhost"]);
  writeFileSync(
    join(dir, "cert.cnf"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
  );
  run(["x509", "-req", "-in", "cert.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"]
    .concat(["-out", "cert.pem", "-days", "2", "-extfile", "cert.cnf"]));
  const cert = join(dir, "cert.pem");
  return { cert, key: join(dir, "key.pem"), ca: join(dir, "ca.pem"), spki: spkiHash(cert) };
}

let made;

/** One certificate for this process, made on first use in a fresh temporary folder. */
export function certificate() {
  made ??= makeCertificate(mkdtempSync(join(tmpdir(), "hyper-assets-e2e-tls-")));
  return made;
}

/** The CA's PEM text, for node's `https` requests. */
export function caPem() {
  return readFileSync(certificate().ca);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: node e2e/certificate.mjs DIR");
  process.stdout.write(JSON.stringify(makeCertificate(resolve(dir))) + "\n");
}
