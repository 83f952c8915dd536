import { SlipwayError } from '../../core/errors.js';

/*
 * What went wrong between slipway and a Docker engine, as one sentence for the failure alert: which host, what
 * happened, what to check. The connection (engine-connection.ts, ssh-dial-agent.ts) raises the SlipwayErrors
 * below for what only it can see (the host key shown, the remote command's exit status, a silent host); the
 * rest comes from Node's sockets and TLS, ssh2 and the engine's HTTP answers, and is mapped here.
 */

export function engineTimeout(where: string, ms: number): SlipwayError {
  return new SlipwayError('engine_timeout', `${where} did not answer within ${seconds(ms)}: the host may be down or a firewall drops the traffic (raise the target's timeoutSeconds if the engine is only slow)`);
}

/** ssh2 picks the server's ed25519 key first when it has several: the pin must be of the type it showed. */
export function hostKeyMismatch(where: string, shown: string, type: string, pinned: string): SlipwayError {
  return new SlipwayError('engine_host_key', `${where} showed the ssh host key ${shown} (${type}), but the target's hostKey pins ${pinned}: refused, nothing was sent (if that is the server's key, check it with ssh-keyscan -t ${type} and pin it)`);
}

export function dialStdioFailed(where: string, exit: string, stderr: string): SlipwayError {
  const said = stderr.trim().split('\n').filter(Boolean).pop();
  return new SlipwayError('engine_dial_stdio', `docker system dial-stdio failed on ${where} (${exit}${said ? `: ${said}` : ''}): the docker CLI must be installed there and the ssh user must be allowed to use the engine`);
}

export function sshClosedEarly(where: string): SlipwayError {
  return new SlipwayError('engine_ssh_closed', `${where} closed the ssh connection before slipway could log in: check sshd's log there (MaxStartups, AllowUsers, a firewall)`);
}

type ErrorFacts = { code?: unknown; level?: unknown; statusCode?: unknown; json?: unknown; hostname?: unknown; message?: unknown };

// Node's names for "the server's certificate is not vouched for by tls.ca".
const untrustedServer = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE']);
// TLS alerts a server sends when it does not accept the client's certificate.
const refusedClient = /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|DECRYPT_ERROR)$/;

/** One sentence naming the engine (`where`) and why talking to it failed, for the failure alert and the log. */
export function engineProblem(error: unknown, where: string): string {
  if (error instanceof SlipwayError) return error.message;
  const facts: ErrorFacts = typeof error === 'object' && error !== null ? (error as ErrorFacts) : { message: String(error) };
  const code = typeof facts.code === 'string' ? facts.code : '';
  const message = (typeof facts.message === 'string' ? facts.message : String(error)).trim();
  const ssh = where.startsWith('ssh://');

  if (typeof facts.statusCode === 'number') {
    const said = (facts.json as { message?: unknown } | undefined)?.message;
    return `the Docker engine on ${where} answered HTTP ${facts.statusCode}: ${typeof said === 'string' ? said.trim() : message}`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `${where} refused the connection: nothing listens on that port (${ssh ? 'is sshd running there?' : 'is dockerd started there with --host tcp://…:PORT and --tlsverify?'})`;
    case 'ETIMEDOUT':
      return `${where} did not answer in time (${message}): the host may be down or a firewall drops the traffic`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `${where} cannot be reached: the name ${typeof facts.hostname === 'string' ? facts.hostname : 'of the host'} does not resolve (DNS ${code}); check the host in the target`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} cannot be reached: no route to the host (${code})`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${where} closed the connection before the engine answered (${message}): is it a Docker engine${ssh ? ' behind sshd' : ' with --tlsverify'} on that port?`;
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return `${where} showed a TLS certificate that is not valid now (${message}): renew the engine's certificate`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `${where} showed a TLS certificate made for another name (${message}): the engine's certificate needs a subjectAltName for the host slipway connects to`;
  }
  if (untrustedServer.has(code)) {
    return `${where} showed a TLS certificate that the target's tls.ca does not vouch for (${message}): refused; tls.ca must be the CA that signed the engine's certificate`;
  }
  if (refusedClient.test(code)) {
    return `${where} refused slipway's TLS client certificate (${tlsAlert(message)}): tls.cert must be signed by the CA the engine trusts (its --tlscacert)`;
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO') {
    return `the TLS handshake with ${where} failed (${tlsAlert(message)}): is it a Docker engine with --tlsverify on that port?`;
  }
  switch (facts.level) {
    case 'client-authentication':
      return `${where} refused slipway's ssh key (${message}): add the public key of the target's identityFile (or of the agent's key) to the ssh user's authorized_keys there`;
    case 'client-timeout':
      return `${where} did not finish the ssh handshake in time (${message}): the host may be down, or something other than sshd listens there`;
    case 'handshake':
    case 'protocol':
      return `the ssh handshake with ${where} failed (${message}): is sshd listening on that port?`;
    case 'agent':
      return `the ssh agent at SSH_AUTH_SOCK could not sign for ${where} (${message}): start the agent and ssh-add the key, or set the target's identityFile`;
  }
  return `talking to the Docker engine on ${where} failed: ${message}`;
}

/** OpenSSL's message is a long internal string; its alert description is what a person can look up. */
function tlsAlert(message: string): string {
  return /alert [a-z ]+|wrong version number|packet length too long|no shared cipher/.exec(message)?.[0] ?? message;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
