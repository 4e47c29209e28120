// Supplier portal pages: register a signing key, and sign and submit a disclosure, both in
// this browser. Messages come translated from the page (data-msg-* attributes).
import {
  credential, generateKey, importPrivateKey, payloadOf, registration, revocation, rotation,
  signCredential,
} from "./signing.js";

const csrf = document.querySelector('meta[name="csrf-token"]').content;

function message(root, name) {
  return root.dataset["msg" + name[0].toUpperCase() + name.slice(1)] || name;
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.detail || response.statusText), { data });
  return data;
}

function show(target, text, problem) {
  target.replaceChildren();
  const line = document.createElement("p");
  line.textContent = text;
  target.append(line);
  const errors = (problem && problem.errors) || [];
  if (errors.length) {
    const list = document.createElement("ul");
    for (const error of errors) {
      const item = document.createElement("li");
      const where = document.createElement("code");
      where.textContent = error.path;
      item.append(where, " ", error.message);
      list.append(item);
    }
    target.append(list);
  }
  target.focus();
}

function readFile(input) {
  const file = input.files && input.files[0];
  if (!file) return Promise.resolve(null);
  return file.text();
}

function download(name, text) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "application/x-pem-file" }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}

async function register(root, key) {
  const challenge = await postJson(root.dataset.challengeUrl, {});
  const body = await registration(challenge, key);
  body.label = root.querySelector("#key-label").value || null;
  return postJson(root.dataset.registerUrl, body);
}

function wireKeys(root) {
  const status = root.querySelector("#key-status");
  root.querySelector("#generate").addEventListener("click", async () => {
    try {
      const alg = root.querySelector("#alg").value;
      const { key, pem } = await generateKey(alg);
      const registered = await register(root, key);
      download(`esgx-${registered.kid.slice(0, 12)}.pem`, pem);
      show(status, `${message(root, "registered")} ${registered.kid}`);
      document.querySelector("#keys-table")?.setAttribute("data-stale", "true");
    } catch (error) {
      show(status, `${message(root, "failed")} ${error.message}`, error.data);
    }
  });
  root.querySelector("#register-file").addEventListener("click", async () => {
    try {
      const text = await readFile(root.querySelector("#key-file"));
      if (!text) throw new Error(message(root, "chooseFile"));
      const registered = await register(root, await importPrivateKey(text));
      show(status, `${message(root, "registered")} ${registered.kid}`);
    } catch (error) {
      show(status, `${message(root, "failed")} ${error.message}`, error.data);
    }
  });
}

function showAccepted(root, result, accepted) {
  result.replaceChildren();
  const line = document.createElement("p");
  line.textContent = `${message(root, "accepted")} ${accepted.period} · ${accepted.contentId}`;
  const bundle = document.createElement("a");
  bundle.href = accepted.bundleUrl;
  bundle.textContent = message(root, "bundle");
  bundle.id = "bundle-link";
  const receipt = document.createElement("pre");
  receipt.id = "receipt";
  receipt.textContent = accepted.receipt;
  result.append(line, bundle, receipt);
  result.focus();
}

function wireSign(root) {
  const result = root.querySelector("#result");
  const restate = root.querySelector("#restate");
  const subjectBox = root.querySelector("#subject");
  const subjectOf = () => JSON.parse(subjectBox.value);
  let current = null; // the content id a restatement must name, when the quarter is taken
  let reviewed = null; // the credential shown by "review": signed as shown, validFrom included

  function credentialFor(subject) {
    if (reviewed && reviewed.text === JSON.stringify(subject)) return reviewed.vc;
    return credential(subject, root.dataset.issuer);
  }

  async function signAndSubmit(subject) {
    const keyText = await readFile(root.querySelector("#sign-key"));
    if (!keyText) throw new Error(message(root, "chooseKey"));
    const key = await importPrivateKey(keyText);
    const jws = await signCredential(credentialFor(subject), key);
    return postJson(root.dataset.submitUrl, { jws });
  }

  async function attempt(subject) {
    try {
      showAccepted(root, result, await signAndSubmit(subject));
      restate.hidden = true;
    } catch (error) {
      show(result, `${message(root, "failed")} ${error.message}`, error.data);
      const type = (error.data && error.data.type) || "";
      current = error.data && error.data.current_content_id;
      restate.hidden = !type.endsWith(":period-already-disclosed");
    }
  }

  root.querySelector("#subject-file").addEventListener("change", async (event) => {
    subjectBox.value = (await readFile(event.target)) || subjectBox.value;
  });
  root.querySelector("#review").addEventListener("click", async () => {
    try {
      const subject = subjectOf();
      const vc = credential(subject, root.dataset.issuer);
      reviewed = { text: JSON.stringify(subject), vc };
      const payload = await payloadOf(vc);
      root.querySelector("#canonical").textContent = payload.text;
      root.querySelector("#digest").textContent = payload.contentId;
      root.querySelector("#review-box").hidden = false;
    } catch (error) {
      show(result, `${message(root, "badJson")} ${error.message}`);
    }
  });
  root.querySelector("#download-payload").addEventListener("click", () => {
    const text = root.querySelector("#canonical").textContent;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    link.download = "credential.json";
    document.body.append(link);
    link.click();
    link.remove();
  });
  root.querySelector("#sign-submit").addEventListener("click", async () => {
    try {
      await attempt(subjectOf());
    } catch (error) {
      show(result, `${message(root, "badJson")} ${error.message}`);
    }
  });
  root.querySelector("#restate-submit").addEventListener("click", async () => {
    try {
      const subject = subjectOf();
      subject.restates = current;
      subject.restatementReason = root.querySelector("#restatement-reason").value;
      await attempt(subject);
    } catch (error) {
      show(result, `${message(root, "badJson")} ${error.message}`);
    }
  });
  root.querySelector("#jws-submit").addEventListener("click", async () => {
    try {
      const jws = (await readFile(root.querySelector("#jws-file")))?.trim();
      if (!jws) throw new Error(message(root, "chooseJws"));
      showAccepted(root, result, await postJson(root.dataset.submitUrl, { jws }));
    } catch (error) {
      show(result, `${message(root, "failed")} ${error.message}`, error.data);
    }
  });
}

function wireKeyChanges(root) {
  const status = root.querySelector("#change-status");
  const keyFrom = async (selector) => {
    const text = await readFile(root.querySelector(selector));
    if (!text) throw new Error(message(root, "chooseFile"));
    return importPrivateKey(text);
  };
  root.querySelector("#rotate").addEventListener("click", async () => {
    try {
      const oldKey = await keyFrom("#rotate-old");
      const { key, pem } = await generateKey(root.querySelector("#rotate-alg").value);
      // At least a day: an overlap ending "now" would end before the rotation is logged.
      const days = Math.max(1, Number(root.querySelector("#rotate-days").value || "30"));
      const body = await rotation(root.dataset.organization, oldKey, key, days);
      const rotated = await postJson(root.dataset.rotateUrl, body);
      download(`esgx-${rotated.kid.slice(0, 12)}.pem`, pem);
      show(status, `${message(root, "rotated")} ${rotated.kid}`);
    } catch (error) {
      show(status, `${message(root, "failed")} ${error.message}`, error.data);
    }
  });
  root.querySelector("#revoke").addEventListener("click", async () => {
    try {
      const signer = await keyFrom("#revoke-signer");
      const effective = root.querySelector("#revoke-effective").value;
      const body = await revocation(
        root.dataset.organization, root.querySelector("#revoke-kid").value,
        root.querySelector("#revoke-reason").value,
        effective ? new Date(effective).toISOString().slice(0, 19) + "Z" : null, signer);
      const revoked = await postJson(root.dataset.revokeUrl, body);
      show(status, `${message(root, "revoked")} ${revoked.kid}`);
    } catch (error) {
      show(status, `${message(root, "failed")} ${error.message}`, error.data);
    }
  });
}

const changes = document.querySelector("#change-keys");
if (changes) wireKeyChanges(changes);
const keys = document.querySelector("#register-key");
if (keys) wireKeys(keys);
const sign = document.querySelector("#sign-disclosure");
if (sign) wireSign(sign);
