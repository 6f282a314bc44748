import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface TestPki {
  ca: string
  server: {cert: string; key: string}
  client: {cert: string; key: string}
  /** A client certificate from a CA the server does not trust. */
  stranger: {cert: string; key: string}
}

/**
 * A throwaway CA with a server certificate for 127.0.0.1 and client certificates, made with
 * the openssl CLI (node:crypto makes keys, not certificates). Nothing is kept on disk.
 */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-pki-'))
  const file = (name: string) => join(dir, name)
  const ssl = (...args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: 'pipe'})
  try {
    const newCa = (name: string) =>
      ssl(
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        file(`${name}.key`),
        '-out',
        file(`${name}.crt`),
      )
    const issue = (name: string, ca: string, ext: string) => {
      ssl(
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        file(`${name}.key`),
        '-out',
        file(`${name}.csr`),
      )
      writeFileSync(file(`${name}.ext`), ext)
      ssl(
        'x509',
        '-req',
        '-in',
        file(`${name}.csr`),
        '-CA',
        file(`${ca}.crt`),
        '-CAkey',
        file(`${ca}.key`),
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        file(`${name}.ext`),
        '-out',
        file(`${name}.crt`),
      )
      return {cert: readFileSync(file(`${name}.crt`), 'utf8'), key: readFileSync(file(`${name}.key`), 'utf8')}
    }
    newCa('test-ca')
    newCa('other-ca')
    return {
      ca: readFileSync(file('test-ca.crt'), 'utf8'),
      server: issue('server', 'test-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'),
      client: issue('caravan-client', 'test-ca', 'extendedKeyUsage=clientAuth\n'),
      stranger: issue('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n'),
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
