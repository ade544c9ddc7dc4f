// Loads a shared library with musl's dynamic linker, resolving every symbol now (RTLD_NOW), and
// looks up the N-API entry point. npm has no musl Node, so this is how __test__/dist/install.test.js
// checks that the linux-x64-musl addon loads on a musl system: build with musl-gcc (Debian's
// musl-tools), run as `musl-dlopen FILE.node`.
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE.node\n", argv[0]);
    return 64;
  }
  void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    printf("dlopen failed: %s\n", dlerror());
    return 1;
  }
  void *entry = dlsym(handle, "napi_register_module_v1");
  printf("loaded; napi_register_module_v1 %s\n", entry ? "found" : "missing");
  return entry ? 0 : 2;
}
