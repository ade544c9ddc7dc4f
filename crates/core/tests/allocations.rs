//! The common path allocates nothing: a counting global allocator around `filter` calls on
//! realistic messages, with a reused line buffer as the binding keeps one.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use hop_by_hop_core::filter::{filter, Line, Options, Pairs};
use hop_by_hop_core::keep_alive::{Direction, Version};

struct Counting;

thread_local! {
  static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
  unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
    ALLOCATIONS.with(|count| count.set(count.get() + 1));
    System.alloc(layout)
  }
  unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
    System.dealloc(ptr, layout)
  }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(run: impl FnOnce()) -> usize {
  let before = ALLOCATIONS.with(Cell::get);
  run();
  ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn common_messages_allocate_nothing() {
  let browser: &[(&str, &str)] = &[
    ("Host", "example.com"),
    ("Connection", "keep-alive"),
    ("Cache-Control", "max-age=0"),
    ("Upgrade-Insecure-Requests", "1"),
    ("User-Agent", "Mozilla/5.0"),
    ("Accept", "text/html"),
    ("Accept-Encoding", "gzip, deflate, br"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Cookie", "a=1; b=2"),
  ];
  let nominating: &[(&str, &str)] = &[
    ("Host", "example.com"),
    ("Connection", "keep-alive, X-Foo, close"),
    ("X-Foo", "1"),
    ("Keep-Alive", "timeout=5"),
    ("TE", "trailers"),
    ("Accept", "*/*"),
  ];
  let response: &[(&str, &str)] = &[
    ("Content-Type", "text/html"),
    ("Set-Cookie", "a=1"),
    ("Set-Cookie", "b=2"),
    ("Transfer-Encoding", "chunked"),
    ("Connection", "keep-alive"),
    ("Keep-Alive", "timeout=5"),
  ];
  let websocket: &[(&str, &str)] = &[
    ("Host", "example.com"),
    ("Connection", "keep-alive, Upgrade"),
    ("Upgrade", "websocket"),
    ("Sec-WebSocket-Key", "k"),
  ];
  let request = Options::default();
  let upstream = Options {
    direction: Direction::Response,
    status: Some(200),
    ..Options::default()
  };
  let upgrading = Options {
    keep_upgrade: true,
    ..Options::default()
  };
  let http10 = Options {
    version: Version::Http10,
    ..Options::default()
  };
  let mut lines = vec![Line::NEW; 64];
  for (headers, options) in [
    (browser, &request),
    (nominating, &request),
    (response, &upstream),
    (websocket, &upgrading),
    (browser, &http10),
  ] {
    let count = allocations_during(|| {
      let verdict = filter(&mut Pairs(headers), options, &mut lines, &mut ());
      assert!(verdict.is_ok());
    });
    assert_eq!(count, 0, "{headers:?}");
  }
}

#[test]
fn the_counter_sees_allocations() {
  // Guards the test above against a counter that never counts.
  let count = allocations_during(|| drop(std::hint::black_box(vec![1u8; 16])));
  assert!(count >= 1);
}
