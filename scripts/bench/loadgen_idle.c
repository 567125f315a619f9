/*
 * loadgen idle: N TCP connections that each send one ApiVersions request
 * and then stay open, idle, until stdin closes (the broker's memory per
 * connection).
 *
 * Included by loadgen.c (it uses that file's options and socket helpers).
 */

/* ------------------------------------------------------------------ idle connections */

static int run_idle(void) {
  if (!O.bootstrap) die("idle needs -b");
  raise_nofile();
  int *fds = calloc((size_t)O.connections, sizeof(int));
  /* ApiVersions v0: size, api_key 18, version 0, correlation id, client id "idle" */
  unsigned char req[4 + 2 + 2 + 4 + 2 + 4] = {0, 0, 0, 14, 0, 18, 0, 0, 0, 0, 0, 0, 0, 4, 'i', 'd', 'l', 'e'};
  int ok = 0, failed = 0;
  for (int i = 0; i < O.connections; i++) {
    int fd = connect_to(O.bootstrap);
    fds[i] = fd;
    if (fd < 0) {
      failed++;
      continue;
    }
    req[8] = (unsigned char)(i >> 24), req[9] = (unsigned char)(i >> 16), req[10] = (unsigned char)(i >> 8),
    req[11] = (unsigned char)i;
    unsigned char hdr[4];
    if (write_all(fd, req, sizeof req) != 0 || read_all(fd, hdr, 4) != 0) {
      failed++;
      close(fd);
      fds[i] = -1;
      continue;
    }
    uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    char *body = malloc(len ? len : 1);
    if (read_all(fd, body, len) != 0) {
      failed++;
      close(fd);
      fds[i] = -1;
    } else ok++;
    free(body);
  }
  printf("# ready %d\n", ok);
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  for (int i = 0; i < O.connections; i++)
    if (fds[i] >= 0) close(fds[i]);
  printf("{\"window\":0,\"connections\":%d,\"failed\":%d}\n", ok, failed);
  return 0;
}
