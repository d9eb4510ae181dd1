// The two passkey ceremonies end to end: engine options → navigator.credentials → engine verify.
// The person closing the browser's passkey prompt rejects with CancelledError, which no alert shows.
import type { SignedIn } from '@borealis/protocol';
import { CancelledError } from '../../shared/cancelled-error';
import {
  finishPasskeyRegistration,
  finishPasskeySignIn,
  type PasskeyRegistered,
  startPasskeyRegistration,
  startPasskeySignIn,
} from './passkey-api';
import { authenticationToJson, creationOptionsFromJson, registrationToJson, requestOptionsFromJson } from './webauthn-json';

/** A browser refusal worth telling the person about; its message is written for them. */
export class PasskeyCeremonyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PasskeyCeremonyError';
  }
}

/** Registers a new passkey for the signed-in operator. */
export async function addPasskey(label: string | undefined): Promise<PasskeyRegistered> {
  const { challenge_id, options } = await startPasskeyRegistration();
  const publicKey = creationOptionsFromJson(options);
  const credential = await ask(() => navigator.credentials.create({ publicKey }), publicKey.rp.id, 'create');
  return finishPasskeyRegistration({ challenge_id, response: registrationToJson(credential), ...(label ? { label } : {}) });
}

/** Signs in with a passkey: alone (any passkey of this site), or as the second factor behind a ticket. */
export async function signInWithPasskey(pendingToken?: string): Promise<SignedIn> {
  const { challenge_id, options } = await startPasskeySignIn(pendingToken);
  const publicKey = requestOptionsFromJson(options);
  const credential = await ask(() => navigator.credentials.get({ publicKey }), publicKey.rpId, 'get');
  return finishPasskeySignIn({
    challenge_id,
    response: authenticationToJson(credential),
    ...(pendingToken ? { pending_token: pendingToken } : {}),
  });
}

async function ask(prompt: () => Promise<Credential | null>, rpId: string | undefined, kind: 'create' | 'get'): Promise<PublicKeyCredential> {
  let credential: Credential | null;
  try {
    credential = await prompt();
  } catch (error) {
    throw translate(error, rpId, kind);
  }
  if (!(credential instanceof PublicKeyCredential)) throw new PasskeyCeremonyError('The browser returned no passkey.');
  return credential;
}

function translate(error: unknown, rpId: string | undefined, kind: 'create' | 'get'): Error {
  if (!(error instanceof DOMException)) return error instanceof Error ? error : new Error(String(error));
  switch (error.name) {
    // Closed or timed out: browsers do not tell the two apart, on purpose.
    case 'NotAllowedError':
    case 'AbortError':
      return new CancelledError('The passkey prompt was closed');
    case 'InvalidStateError':
      return new PasskeyCeremonyError(
        kind === 'create' ? 'This device or security key already holds a passkey for your account.' : error.message,
        { cause: error },
      );
    case 'SecurityError':
      return new PasskeyCeremonyError(
        `Passkeys of this engine belong to the host name ${rpId ?? 'of its public URL'}; open the WebUI at that name.`,
        { cause: error },
      );
    case 'NotSupportedError':
      return new PasskeyCeremonyError('This device or security key cannot make a passkey the engine accepts.', { cause: error });
    default:
      return new PasskeyCeremonyError(`The browser refused the passkey: ${error.message}`, { cause: error });
  }
}
