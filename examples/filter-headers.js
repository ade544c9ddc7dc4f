'use strict'
// The filter on its own: a flat name/value list in, the end-to-end list and a decision out.
const { filterHeaders } = require('hop-by-hop')

const result = filterHeaders([
  'Host', 'a.example',
  'Connection', 'keep-alive, X-Trace',
  'X-Trace', '1',
  'TE', 'trailers',
  'Accept', '*/*',
])
console.log(result.headers) // [ 'Host', 'a.example', 'TE', 'trailers', 'Accept', '*/*' ]
console.log(result.keepAlive) // true
console.log(result.diagnostics.removed) // [ 'Connection', 'X-Trace' ]
