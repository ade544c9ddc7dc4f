'use strict'
// The numbers that cross the boundary, mirrored from src/abi.rs (and the line actions from
// crates/core/src/filter.rs): option flags in, verdict bits or an error code out. Plain data, no
// code: __test__/native-contract.test.js parses the Rust side and fails when the two differ.

module.exports = {
  // Option flags.
  VERSION_HTTP10: 0,
  VERSION_HTTP11: 1,
  VERSION_HTTP2: 2,
  RESPONSE: 1 << 2,
  PROXY: 1 << 3,
  UPGRADE: 1 << 4,
  STRICT: 1 << 5,
  LISTS: 1 << 6,
  METHOD_HEAD: 1 << 7,
  METHOD_CONNECT: 2 << 7,
  STATUS_SHIFT: 9,
  // Verdict bits.
  KEEP_ALIVE: 1,
  IS_UPGRADE: 1 << 1,
  APPEND_CONNECTION_UPGRADE: 1 << 2,
  UNCHANGED: 1 << 3,
  NOMINATED: 1 << 4,
  // Line actions, one byte per header line in the scratch buffer; none is zero, so a zeroed or
  // stale buffer drops lines instead of forwarding them.
  ACTION_KEEP: 1,
  ACTION_DROP: 2,
  ACTION_TE_TRAILERS: 3,
  ACTION_UPGRADE_KEPT: 4,
  ACTION_UPGRADE_DROPPED: 5,
  // Error kinds: a negative result is -(1 + kind + 16 * index).
  ERROR_NOT_A_STRING: 1,
  ERROR_INVALID_NAME: 2,
  ERROR_INVALID_STRIP: 3,
  ERROR_INVALID_PROTECT: 4,
  ERROR_PROTECTED: 5,
  ERROR_INVALID_TOKEN: 6,
  ERROR_AMBIGUOUS_LENGTH: 7,
  ERROR_INVALID_UPGRADE: 8,
  ERROR_SCRATCH_TOO_SMALL: 9,
  ERROR_BAD_ARGUMENTS: 10,
}
