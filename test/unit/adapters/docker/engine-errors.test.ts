import { describe, expect, it } from 'vitest';
import { dialStdioFailed, engineProblem, engineTimeout, hostKeyMismatch } from '../../../../src/adapters/docker/engine-errors.js';

/** Errors shaped as Node's net, dns and tls layers and ssh2 raise them (the integration test meets the others for real). */
const nodeError = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

describe('engineProblem', () => {
  const tcp = 'tcp://web-1.example.com:2376';
  const ssh = 'ssh://deploy@web-1.example.com:22';

  it.each([
    ['DNS failure', tcp, nodeError('getaddrinfo ENOTFOUND web-1.example.com', { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'web-1.example.com' }),
      `${tcp} cannot be reached: the name web-1.example.com does not resolve (DNS ENOTFOUND); check the host in the target`],
    ['DNS server unreachable', ssh, nodeError('getaddrinfo EAI_AGAIN web-1.example.com', { code: 'EAI_AGAIN', hostname: 'web-1.example.com' }),
      `${ssh} cannot be reached: the name web-1.example.com does not resolve (DNS EAI_AGAIN); check the host in the target`],
    ['no route', tcp, nodeError('connect EHOSTUNREACH 10.0.0.9:2376', { code: 'EHOSTUNREACH' }),
      `${tcp} cannot be reached: no route to the host (EHOSTUNREACH)`],
    ['refused over ssh', ssh, nodeError('connect ECONNREFUSED 10.0.0.9:22', { code: 'ECONNREFUSED', level: 'client-socket' }),
      `${ssh} refused the connection: nothing listens on that port (is sshd running there?)`],
    ['the OS gave up connecting', tcp, nodeError('connect ETIMEDOUT 10.0.0.9:2376', { code: 'ETIMEDOUT' }),
      `${tcp} did not answer in time (connect ETIMEDOUT 10.0.0.9:2376): the host may be down or a firewall drops the traffic`],
    ['hang-up', tcp, nodeError('socket hang up', { code: 'ECONNRESET' }),
      `${tcp} closed the connection before the engine answered (socket hang up): is it a Docker engine with --tlsverify on that port?`],
    ['expired certificate', tcp, nodeError('certificate has expired', { code: 'CERT_HAS_EXPIRED' }),
      `${tcp} showed a TLS certificate that is not valid now (certificate has expired): renew the engine's certificate`],
    ['plain HTTP on the TLS port', tcp, nodeError('C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:354:', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
      `the TLS handshake with ${tcp} failed (wrong version number): is it a Docker engine with --tlsverify on that port?`],
    ['TLS 1.3 server wants a client certificate', tcp, nodeError('C0:error:0A00045C:SSL routines::tlsv13 alert certificate required:SSL alert number 116', { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }),
      `${tcp} refused slipway's TLS client certificate (alert certificate required): tls.cert must be signed by the CA the engine trusts (its --tlscacert)`],
    ['ssh handshake timeout', ssh, nodeError('Timed out while waiting for handshake', { level: 'client-timeout' }),
      `${ssh} did not finish the ssh handshake in time (Timed out while waiting for handshake): the host may be down, or something other than sshd listens there`],
    ['not an ssh server', ssh, nodeError('Bad identification start', { level: 'protocol' }),
      `the ssh handshake with ${ssh} failed (Bad identification start): is sshd listening on that port?`],
    ['agent without the key', ssh, nodeError('Failed to sign data with agent', { level: 'agent' }),
      `the ssh agent at SSH_AUTH_SOCK could not sign for ${ssh} (Failed to sign data with agent): start the agent and ssh-add the key, or set the target's identityFile`],
    ['engine answer without JSON', tcp, nodeError('(HTTP code 502) unexpected - bad gateway ', { statusCode: 502, json: null }),
      `the Docker engine on ${tcp} answered HTTP 502: (HTTP code 502) unexpected - bad gateway`],
    ['anything else', tcp, new Error('something new'), `talking to the Docker engine on ${tcp} failed: something new`],
    ['not even an Error', tcp, 'a string', `talking to the Docker engine on ${tcp} failed: a string`],
  ])('%s', (_case, where, error, sentence) => {
    expect(engineProblem(error, where)).toBe(sentence);
  });

  it('passes on the sentences the connection itself made, which name the host already', () => {
    expect(engineProblem(engineTimeout(tcp, 30_000), 'ignored')).toBe(`${tcp} did not answer within 30 s: the host may be down or a firewall drops the traffic (raise the target's timeoutSeconds if the engine is only slow)`);
    expect(engineProblem(engineTimeout(tcp, 1_500), tcp)).toMatch(/did not answer within 1\.5 s/);
    expect(engineProblem(hostKeyMismatch(ssh, 'SHA256:shown', 'ssh-rsa', 'SHA256:pinned'), ssh)).toMatch(/^ssh:\/\/deploy@web-1\.example\.com:22 showed the ssh host key SHA256:shown \(ssh-rsa\), but the target's hostKey pins SHA256:pinned: refused/);
    expect(engineProblem(dialStdioFailed(ssh, 'exit 1', 'some noise\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n'), ssh)).toBe(
      `docker system dial-stdio failed on ${ssh} (exit 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?): the docker CLI must be installed there and the ssh user must be allowed to use the engine`,
    );
  });
});
