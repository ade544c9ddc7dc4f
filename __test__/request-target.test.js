'use strict'
// requestPath(target): the request target in the origin form an origin server takes (RFC 9112
// §3.2.1), from the origin form or the absolute form a client may send a proxy (§3.2.2).

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const { requestPath, HopByHopError } = require('..')

describe('requestPath(target)', () => {
  it('returns an origin-form target as it is, dot segments and `//` included', () => {
    for (const target of ['/', '/a?b=1', '/a/../b', '/public/%2e%2e/admin', '//host/x', '/?']) {
      assert.equal(requestPath(target), target, target)
      assert.equal(requestPath(target, 'GET'), target, target)
    }
  })

  it('cuts a fragment, which no request target has (RFC 9112 §3.2) and would hide a query added after it', () => {
    const cases = [
      ['/a#f', '/a'],
      ['/a?b=1#f?c=2', '/a?b=1'],
      ['/#', '/'],
      ['http://h/x#a?y=1', '/x'],
      ['http://h?a#b', '/?a'],
      ['http://h/#', '/'],
    ]
    for (const [target, path] of cases) assert.equal(requestPath(target, 'GET'), path, target)
  })

  it('gives what follows the authority of an absolute-form http(s) target, as sent (RFC 9112 §3.2.2)', () => {
    const cases = [
      ['http://a.example/x?y=1', '/x?y=1'],
      ['https://a.example/x', '/x'],
      ['HTTPS://A.EXAMPLE/X', '/X'],
      ['HtTp://a.example:8080/x', '/x'],
      // Userinfo is part of the authority, never of the path.
      ['http://user:pw@a.example/x', '/x'],
      ['http://user@a.example?q', '/?q'],
      // A query only, or nothing: '/' first (RFC 9112 §3.2.1: an empty path is sent as '/').
      ['http://h?x=1', '/?x=1'],
      ['http://h', '/'],
      ['https://h:443', '/'],
      ['http://[2001:db8::1]:8080/v6', '/v6'],
      // Dot segments, encoded ones and the query stay: a router in front judged the path as it came.
      ['http://h/a/../b?x=1', '/a/../b?x=1'],
      ['http://h/public/%2e%2e/admin', '/public/%2e%2e/admin'],
      ['http://h//double/slash', '//double/slash'],
    ]
    for (const [target, path] of cases) assert.equal(requestPath(target), path, target)
  })

  it('keeps the asterisk-form of a server-wide OPTIONS, and sends an OPTIONS of a bare absolute-form target as one (RFC 9112 §3.2.4)', () => {
    assert.equal(requestPath('*', 'OPTIONS'), '*')
    assert.equal(requestPath('*'), '*')
    assert.equal(requestPath('http://h', 'OPTIONS'), '*')
    assert.equal(requestPath('HTTPS://h:443#f', 'OPTIONS'), '*')
    // A path or a query names a resource: not the server as a whole.
    assert.equal(requestPath('http://h/', 'OPTIONS'), '/')
    assert.equal(requestPath('http://h?q', 'OPTIONS'), '/?q')
    assert.equal(requestPath('http://h', 'GET'), '/')
    assert.equal(requestPath('http://h'), '/')
  })

  it('refuses the asterisk-form on any method but OPTIONS (RFC 9112 §3.2.4)', () => {
    for (const method of ['GET', 'POST', 'options', 'HEAD']) {
      assert.throws(() => requestPath('*', method), {
        name: 'HopByHopError',
        code: 'ERR_HOP_BY_HOP_REQUEST_TARGET',
        statusCode: 400,
        message: 'the request target "*" is the asterisk-form, which only OPTIONS may carry (RFC 9112 §3.2.4)',
      })
    }
  })

  it('refuses every other target with a HopByHopError, 400 (ERR_HOP_BY_HOP_REQUEST_TARGET)', () => {
    for (const target of [
      'host:443', // authority-form: CONNECT's (RFC 9112 §3.2.3)
      'a.example:80/x',
      'a/b',
      '?x=1',
      'ftp://h/x',
      'ws://h/x',
      'mailto:a@h',
      'http:/x',
      'http:x',
      'http:///x', // no host (RFC 9110 §4.2.1)
      'http://user@/x',
      '**',
      ' /x',
      '',
    ]) {
      assert.throws(() => requestPath(target), (error) => {
        assert.ok(error instanceof HopByHopError, target)
        assert.equal(error.code, 'ERR_HOP_BY_HOP_REQUEST_TARGET', target)
        assert.equal(error.statusCode, 400, target)
        assert.equal(error.message, `the request target ${JSON.stringify(target)} is neither origin-form (/path?query) nor absolute-form (http://host/path): no request to an origin server can carry it (RFC 9112 §3.2.1)`)
        return true
      })
    }
    // A long target is cut in the message.
    assert.throws(() => requestPath(`ftp://${'h'.repeat(100)}`), { message: /"ftp:\/\/h{54}" is neither/ })
  })

  it('throws a TypeError naming the argument for a target or method that is not a string (ERR_INVALID_ARG_TYPE)', () => {
    const cases = [
      [undefined, 'undefined'],
      [null, 'null'],
      [42, 'type number (42)'],
      [new URL('http://h/x'), 'an instance of URL'],
      [['/x'], 'an instance of Array'],
      [{ url: '/x' }, 'an instance of Object'],
    ]
    for (const [value, received] of cases) {
      assert.throws(() => requestPath('/x', value === undefined ? 42 : value), {
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_TYPE',
        message: `The "method" argument must be of type string. Received ${value === undefined ? 'type number (42)' : received}`,
      })
      assert.throws(() => requestPath(value), {
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_TYPE',
        message: `The "target" argument must be of type string. Received ${received}`,
      })
    }
  })
})
