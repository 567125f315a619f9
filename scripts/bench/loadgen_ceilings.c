/*
 * loadgen tcp and loadgen disk: the machine's ceilings the broker is
 * compared with (scripts/bench/_ceilings.ts), bulk writes to a TCP sink and
 * appends to a file (optionally synced).
 *
 * Included by loadgen.c (it uses that file's options, histogram, markers
 * and socket helpers).
 */

/* ------------------------------------------------------------------ raw TCP ceiling */

static int run_tcp(void) {
  if (!O.bootstrap) die("tcp needs -b");
  signal(SIGPIPE, SIG_IGN);
  int fd = connect_to(O.bootstrap);
  if (fd < 0) die("connect %s: %s", O.bootstrap, strerror(errno));
  char *buf = malloc((size_t)O.write_bytes);
  memset(buf, 'x', (size_t)O.write_bytes);
  uint64_t start = now_ns();
  uint64_t s = start + (uint64_t)(O.warmup * 1e9);
  for (int w = 0; w < O.repeats; w++) {
    uint64_t e = s + (uint64_t)(O.duration * 1e9);
    int started = 0;
    uint64_t bytes = 0;
    double cpu0 = 0;
    for (;;) {
      uint64_t t = now_ns();
      if (t >= e) break;
      if (!started && t >= s) {
        started = 1;
        marker("measure");
        cpu0 = cpu_seconds();
      }
      if (write_all(fd, buf, (size_t)O.write_bytes) != 0) die("tcp write: %s", strerror(errno));
      if (started) bytes += (uint64_t)O.write_bytes;
    }
    double cpu = cpu_seconds() - cpu0;
    marker("done");
    double secs = O.duration;
    printf("{\"window\":%d,\"seconds\":%.4f,\"records\":%llu,\"bytes\":%llu,\"records_per_s\":%.1f,\"mb_per_s\":%.2f,"
           "\"cpu_s\":%.3f}\n",
           w, secs, (unsigned long long)(bytes / (uint64_t)O.write_bytes), (unsigned long long)bytes,
           bytes / (double)O.write_bytes / secs, bytes / secs / 1e6, cpu);
    fflush(stdout);
    s = e;
  }
  shutdown(fd, SHUT_WR);
  char tmp[4096];
  while (read(fd, tmp, sizeof tmp) > 0) {
  }
  close(fd);
  return 0;
}

/* ------------------------------------------------------------------ disk append ceiling */

static int run_disk(void) {
  if (!O.file) die("disk needs --file");
  char *buf = aligned_alloc(4096, ((size_t)O.write_bytes + 4095) / 4096 * 4096);
  memset(buf, 'x', (size_t)O.write_bytes);
  for (int w = 0; w < O.repeats; w++) {
    int fd = open(O.file, O.sync ? O_WRONLY | O_CREAT | O_TRUNC | O_APPEND : O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
                  0644);
    if (fd < 0) die("open %s: %s", O.file, strerror(errno));
    hist_t *h = calloc(1, sizeof *h);
    marker("measure");
    double cpu0 = cpu_seconds();
    uint64_t t0 = now_ns(), e = t0 + (uint64_t)(O.duration * 1e9), bytes = 0, writes = 0;
    while (now_ns() < e && (long long)bytes < O.max_bytes) {
      uint64_t a = now_ns();
      if (write_all(fd, buf, (size_t)O.write_bytes) != 0) die("write: %s", strerror(errno));
      if (O.sync && fdatasync(fd) != 0) die("fdatasync: %s", strerror(errno));
      hist_add(h, (int64_t)(now_ns() - a));
      bytes += (uint64_t)O.write_bytes;
      writes++;
    }
    double secs = (now_ns() - t0) / 1e9;
    double cpu = cpu_seconds() - cpu0;
    marker("done");
    close(fd);
    unlink(O.file);
    printf("{\"window\":%d,\"seconds\":%.4f,\"records\":%llu,\"bytes\":%llu,\"records_per_s\":%.1f,\"mb_per_s\":%.2f,"
           "\"cpu_s\":%.3f",
           w, secs, (unsigned long long)writes, (unsigned long long)bytes, writes / secs, bytes / secs / 1e6, cpu);
    print_hist("ack", h);
    printf("}\n");
    fflush(stdout);
    free(h);
  }
  return 0;
}
