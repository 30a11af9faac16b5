// Passkeys: the two WebAuthn ceremonies, which only a browser's script can run. The server
// sends options as JSON (binary values in base64url) and takes the answer back as a form
// field; every step carries the page's form token. Without this script, or without
// WebAuthn, the passkey controls stay hidden and everything else works.

const supported = typeof window.PublicKeyCredential === 'function' && navigator.credentials;

function fromBase64url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function toBase64url(buffer) {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// Posts form fields; the answer's JSON, or an error with what to tell the person.
async function post(path, fields) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(fields),
    credentials: 'same-origin',
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A page instead of JSON: a stale form or an ended session.
  }
  if (!response.ok || !body) {
    throw new Error((body && body.error) || 'That did not work. Reload the page and try again.');
  }
  return body;
}

// What the browser says when the person cancels or the authenticator refuses.
function said(error) {
  if (error && error.name === 'NotAllowedError') return 'Cancelled, or no passkey was chosen.';
  if (error && error.name === 'InvalidStateError') return 'This device has a passkey for your account already.';
  return (error && error.message) || 'That did not work. Try again.';
}

function extensions(credential) {
  return typeof credential.getClientExtensionResults === 'function' ? credential.getClientExtensionResults() : {};
}

const login = document.querySelector('[data-passkey-login]');
if (login && supported) {
  const form = document.querySelector('form[action="/login"]');
  const button = login.querySelector('button');
  const message = login.querySelector('[data-passkey-message]');
  login.hidden = false;
  button.addEventListener('click', async () => {
    const token = form.elements.csrf_token.value;
    button.disabled = true;
    message.textContent = 'Waiting for your passkey…';
    try {
      const options = await post('/login/passkey/options', { csrf_token: token });
      const publicKey = options.publicKey;
      publicKey.challenge = fromBase64url(publicKey.challenge);
      for (const allowed of publicKey.allowCredentials || []) allowed.id = fromBase64url(allowed.id);
      const credential = await navigator.credentials.get({ publicKey });
      const answer = {
        id: credential.id,
        rawId: toBase64url(credential.rawId),
        type: credential.type,
        response: {
          authenticatorData: toBase64url(credential.response.authenticatorData),
          clientDataJSON: toBase64url(credential.response.clientDataJSON),
          signature: toBase64url(credential.response.signature),
          userHandle: credential.response.userHandle ? toBase64url(credential.response.userHandle) : null,
        },
        extensions: extensions(credential),
      };
      const done = await post('/login/passkey', {
        csrf_token: token,
        next: form.elements.next.value,
        credential: JSON.stringify(answer),
      });
      message.textContent = 'Logged in.';
      location.assign(done.redirect);
    } catch (error) {
      message.textContent = said(error);
      button.disabled = false;
    }
  });
}

const add = document.querySelector('form[data-passkey-add]');
if (add && supported) {
  const message = add.querySelector('[data-passkey-message]');
  const button = add.querySelector('button[type="submit"]');
  add.hidden = false;
  for (const note of document.querySelectorAll('[data-passkey-unsupported]')) note.hidden = true;
  add.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = add.elements.csrf_token.value;
    const name = add.elements.name.value;
    button.disabled = true;
    message.textContent = 'Follow your browser’s steps to make the passkey…';
    try {
      const options = await post('/account/security/passkeys/options', { csrf_token: token, name });
      const publicKey = options.publicKey;
      publicKey.challenge = fromBase64url(publicKey.challenge);
      publicKey.user.id = fromBase64url(publicKey.user.id);
      for (const excluded of publicKey.excludeCredentials || []) excluded.id = fromBase64url(excluded.id);
      const credential = await navigator.credentials.create({ publicKey });
      const response = credential.response;
      const answer = {
        id: credential.id,
        rawId: toBase64url(credential.rawId),
        type: credential.type,
        response: {
          attestationObject: toBase64url(response.attestationObject),
          clientDataJSON: toBase64url(response.clientDataJSON),
          transports: typeof response.getTransports === 'function' ? response.getTransports() : undefined,
        },
        extensions: extensions(credential),
      };
      const done = await post('/account/security/passkeys', {
        csrf_token: token,
        name,
        credential: JSON.stringify(answer),
      });
      location.assign(done.redirect);
    } catch (error) {
      message.textContent = said(error);
      button.disabled = false;
    }
  });
}
