// esgx signing in the browser, with WebCrypto only. Private keys are read or made here and
// never leave the page: only public keys, proofs and signed documents are sent.
// The formats are those of the `signing` Python package (docs/signing-library.md).

const encoder = new TextEncoder();

export function b64url(bytes) {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = "";
  for (const byte of data) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function b64decode(text) {
  const raw = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

// RFC 8785 (JCS): ECMAScript serialization of primitives, object members sorted by UTF-16
// code units, which is what JSON.stringify and Array.prototype.sort do.
export function canonicalize(value) {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error("not a JSON number");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return "[" + value.map(canonicalize).join(",") + "]";
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalize(value[k])).join(",") + "}";
}

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

const ALGORITHMS = {
  Ed25519: { jws: "EdDSA", params: { name: "Ed25519" }, sign: { name: "Ed25519" } },
  ES256: {
    jws: "ES256",
    params: { name: "ECDSA", namedCurve: "P-256" },
    sign: { name: "ECDSA", hash: "SHA-256" },
  },
};

function algorithmOf(key) {
  return key.algorithm.name === "Ed25519" ? ALGORITHMS.Ed25519 : ALGORITHMS.ES256;
}

export async function generateKey(alg) {
  const spec = ALGORITHMS[alg];
  const pair = await crypto.subtle.generateKey(spec.params, true, ["sign", "verify"]);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const body = btoa(String.fromCharCode(...pkcs8)).replace(/(.{64})/g, "$1\n");
  const pem = `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
  return { key: pair.privateKey, pem };
}

// A PKCS#8 PEM (as written by `esgx-sign keygen`) or a private JWK, Ed25519 or P-256.
export async function importPrivateKey(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    const jwk = JSON.parse(trimmed);
    const spec = jwk.kty === "OKP" ? ALGORITHMS.Ed25519 : ALGORITHMS.ES256;
    return crypto.subtle.importKey("jwk", jwk, spec.params, true, ["sign"]);
  }
  const match = trimmed.match(/-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/);
  if (!match) throw new Error("not a PKCS#8 PEM private key or a private JWK");
  const der = b64decode(match[1].replace(/\s+/g, ""));
  for (const spec of [ALGORITHMS.Ed25519, ALGORITHMS.ES256]) {
    try {
      return await crypto.subtle.importKey("pkcs8", der, spec.params, true, ["sign"]);
    } catch (error) {
      // not this algorithm: try the next one
    }
  }
  throw new Error("the key is neither Ed25519 nor P-256");
}

// The public JWK with only the RFC 7638 members, and its thumbprint as `kid`.
export async function publicJwk(privateKey) {
  const full = await crypto.subtle.exportKey("jwk", privateKey);
  const members = full.kty === "OKP" ? ["crv", "kty", "x"] : ["crv", "kty", "x", "y"];
  const jwk = Object.fromEntries(members.map((m) => [m, full[m]]));
  const kid = b64url(await crypto.subtle.digest("SHA-256", encoder.encode(canonicalize(jwk))));
  return { ...jwk, kid };
}

async function compact(header, payload, key) {
  const spec = algorithmOf(key);
  const protectedHeader = b64url(encoder.encode(canonicalize({ ...header, alg: spec.jws })));
  const input = `${protectedHeader}.${b64url(payload)}`;
  const signature = await crypto.subtle.sign(spec.sign, key, encoder.encode(input));
  return `${input}.${b64url(signature)}`;
}

function now() {
  return new Date().toISOString().slice(0, 19) + "Z";
}

// The body the platform's key registration takes: proof of possession and registered event.
export async function registration(challenge, privateKey) {
  const jwk = await publicJwk(privateKey);
  const { kid, ...bare } = jwk;
  const proof = await compact(
    { typ: "esgx-pop+jwt", jwk: bare }, encoder.encode(canonicalize(challenge)), privateKey);
  const event = {
    esgxKeyEvent: 1, event: "registered", organization: challenge.organization, kid,
    issuedAt: now(), jwk,
  };
  const signed = await compact(
    { kid, typ: "esgx-key-event+jws" }, encoder.encode(canonicalize(event)), privateKey);
  const [protectedHeader, payload, signature] = signed.split(".");
  return { proof, event: { payload, signatures: [{ protected: protectedHeader, signature }] } };
}

export function credential(subject, issuer, kind = "EmissionDisclosure") {
  return {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    type: ["VerifiableCredential", kind],
    issuer,
    validFrom: now(),
    credentialSubject: subject,
  };
}

// The payload bytes exactly as signed (and their SHA-256: the disclosure's content id).
export async function payloadOf(vc) {
  const bytes = encoder.encode(canonicalize(vc));
  return { bytes, text: canonicalize(vc), contentId: await sha256Hex(bytes) };
}

export async function signCredential(vc, privateKey) {
  const { kid } = await publicJwk(privateKey);
  return compact({ kid, typ: "vc+jwt", cty: "vc" }, (await payloadOf(vc)).bytes, privateKey);
}

async function keyEvent(event, keys) {
  // One payload, one signature per key (JWS JSON general serialization).
  const payload = encoder.encode(canonicalize(event));
  const signatures = [];
  for (const key of keys) {
    const { kid } = await publicJwk(key);
    const [protectedHeader, , signature] =
      (await compact({ kid, typ: "esgx-key-event+jws" }, payload, key)).split(".");
    signatures.push({ protected: protectedHeader, signature });
  }
  return { payload: b64url(payload), signatures };
}

// A rotation from `oldKey` to `newKey`, signed by both; the old key stays valid `days` more.
export async function rotation(organization, oldKey, newKey, days) {
  const jwk = await publicJwk(newKey);
  const previous = await publicJwk(oldKey);
  const notAfter = new Date(Date.now() + days * 86400000).toISOString().slice(0, 19) + "Z";
  const event = {
    esgxKeyEvent: 1, event: "rotated", organization, kid: jwk.kid, issuedAt: now(), jwk,
    previousKid: previous.kid, previousNotAfter: notAfter,
  };
  return { event: await keyEvent(event, [oldKey, newKey]) };
}

// A revocation of `kid`, signed by any registered key of the organization.
export async function revocation(organization, kid, reason, effectiveAt, signerKey) {
  const event = {
    esgxKeyEvent: 1, event: "revoked", organization, kid, issuedAt: now(), reason,
    effectiveAt: effectiveAt || now(),
  };
  return { event: await keyEvent(event, [signerKey]) };
}
