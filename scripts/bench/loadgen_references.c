/*
 * loadgen mock and loadgen nats: two of the reference systems
 * (scripts/bench/_references.ts), librdkafka's in-memory mock cluster, and
 * a NATS JetStream publisher speaking the NATS protocol by hand.
 *
 * Included by loadgen.c (it uses that file's options, histogram, markers,
 * measurement windows and socket helpers).
 */

/* ------------------------------------------------------------------ mock cluster */

static int run_mock(void) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, log_cb);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die("mock handle: %s", err);
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, 1);
  if (!mc) die("rd_kafka_mock_cluster_new failed");
  for (int i = 0; i < O.mock_topic_count; i++) {
    char name[256];
    snprintf(name, sizeof name, "%s", O.mock_topics[i]);
    char *colon = strrchr(name, ':');
    int parts = 32;
    if (colon) {
      *colon = 0;
      parts = atoi(colon + 1);
    }
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, name, parts, 1);
    if (e) die("mock topic %s: %s", name, rd_kafka_err2str(e));
  }
  printf("# bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}

/* ------------------------------------------------------------------ NATS JetStream publisher */

typedef struct {
  int fd;
  char *in;
  size_t in_len, in_cap;
  char *out;
  size_t out_len, out_cap;
} nconn_t;

static void out_add(nconn_t *c, const void *data, size_t len) {
  if (c->out_len + len > c->out_cap) {
    c->out_cap = (c->out_len + len) * 2;
    c->out = realloc(c->out, c->out_cap);
  }
  memcpy(c->out + c->out_len, data, len);
  c->out_len += len;
}

/* writes what the socket takes without blocking */
static void out_flush(nconn_t *c) {
  size_t off = 0;
  while (off < c->out_len) {
    ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) die("nats write: %s", strerror(errno));
    off += (size_t)n;
  }
  memmove(c->out, c->out + off, c->out_len - off);
  c->out_len -= off;
}

typedef void (*nmsg_cb)(const char *subject, const char *payload, size_t len, void *ctx);

/* reads what is available (waiting up to timeout_ms) and dispatches complete MSGs */
static void nats_read(nconn_t *c, int timeout_ms, nmsg_cb cb, void *ctx) {
  struct pollfd pf = {c->fd, POLLIN | (c->out_len ? POLLOUT : 0), 0};
  if (poll(&pf, 1, timeout_ms) <= 0) return;
  if (pf.revents & POLLOUT) out_flush(c);
  if (!(pf.revents & (POLLIN | POLLHUP | POLLERR))) return;
  if (c->in_cap - c->in_len < 65536) {
    c->in_cap = c->in_cap * 2 + 65536;
    c->in = realloc(c->in, c->in_cap);
  }
  ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
  if (n == 0) die("nats: connection closed by server");
  if (n < 0) return;
  c->in_len += (size_t)n;
  size_t pos = 0;
  for (;;) {
    char *nl = memmem(c->in + pos, c->in_len - pos, "\r\n", 2);
    if (!nl) break;
    size_t line_len = (size_t)(nl - (c->in + pos));
    char *line = c->in + pos;
    if (line_len >= 4 && !strncmp(line, "MSG ", 4)) {
      /* MSG <subject> <sid> [reply] <#bytes> */
      char tmp[512];
      size_t l = line_len < sizeof tmp - 1 ? line_len : sizeof tmp - 1;
      memcpy(tmp, line, l);
      tmp[l] = 0;
      char *last = strrchr(tmp, ' ');
      size_t plen = (size_t)atol(last + 1);
      size_t need = line_len + 2 + plen + 2;
      if (c->in_len - pos < need) break;
      char *subj = tmp + 4;
      char *sp = strchr(subj, ' ');
      if (sp) *sp = 0;
      cb(subj, line + line_len + 2, plen, ctx);
      pos += need;
      continue;
    }
    if (line_len >= 4 && !strncmp(line, "PING", 4)) out_add(c, "PONG\r\n", 6);
    else if (line_len >= 4 && !strncmp(line, "-ERR", 4)) fprintf(stderr, "loadgen: nats: %.*s\n", (int)line_len, line);
    pos += line_len + 2;
  }
  memmove(c->in, c->in + pos, c->in_len - pos);
  c->in_len -= pos;
}

typedef struct {
  int created;
  char create_reply[1024];
  uint64_t *sent_at;
  uint64_t acked, inflight, errors;
  hist_t ack[16];
  uint64_t win_acked[16];
} nstate_t;

static void nats_on_msg(const char *subject, const char *payload, size_t len, void *ctx) {
  nstate_t *s = ctx;
  if (!strcmp(subject, "_INBOX.bench.create")) {
    size_t l = len < sizeof s->create_reply - 1 ? len : sizeof s->create_reply - 1;
    memcpy(s->create_reply, payload, l);
    s->create_reply[l] = 0;
    s->created = 1;
    return;
  }
  /* _INBOX.bench.<seq> */
  const char *dot = strrchr(subject, '.');
  uint64_t seq = strtoull(dot + 1, NULL, 10);
  s->inflight--;
  if (memmem(payload, len, "\"error\"", 7)) {
    s->errors++;
    return;
  }
  uint64_t t = now_ns();
  s->acked++;
  int w = win_index;
  if (w >= 0 && w < 16 && t >= win_start && t < win_end) {
    s->win_acked[w]++;
    hist_add(&s->ack[w], (int64_t)(t - s->sent_at[seq % (uint64_t)O.window]));
  }
}

static int run_nats(void) {
  if (!O.bootstrap) die("nats needs -b");
  nconn_t c = {0};
  c.fd = connect_to(O.bootstrap);
  if (c.fd < 0) die("connect %s: %s", O.bootstrap, strerror(errno));
  nstate_t *s = calloc(1, sizeof *s);
  s->sent_at = calloc((size_t)O.window, sizeof(uint64_t));
  const char *connect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":false,\"name\":\"loadgen\"}\r\n"
                        "SUB _INBOX.bench.* 1\r\n";
  out_add(&c, connect, strlen(connect));
  char cfg[512], hdr[256];
  int cl = snprintf(cfg, sizeof cfg,
                    "{\"name\":\"%s\",\"subjects\":[\"bench.%s\"],\"storage\":\"file\",\"retention\":\"limits\","
                    "\"max_msgs\":-1,\"max_bytes\":-1,\"num_replicas\":1}",
                    O.stream, O.stream);
  int hl = snprintf(hdr, sizeof hdr, "PUB $JS.API.STREAM.CREATE.%s _INBOX.bench.create %d\r\n", O.stream, cl);
  out_add(&c, hdr, (size_t)hl);
  out_add(&c, cfg, (size_t)cl);
  out_add(&c, "\r\n", 2);
  out_flush(&c);
  uint64_t deadline = now_ns() + 10000000000ull;
  while (!s->created) {
    if (now_ns() > deadline) die("nats: no answer to stream create");
    nats_read(&c, 100, nats_on_msg, s);
  }
  if (strstr(s->create_reply, "\"error\"") && !strstr(s->create_reply, "already in use"))
    die("nats: stream create: %s", s->create_reply);

  char subject[128];
  snprintf(subject, sizeof subject, "bench.%s", O.stream);
  char *payload = malloc((size_t)O.size);
  memset(payload, 'x', (size_t)O.size);
  uint64_t seq = 0;
  uint64_t start = now_ns();
  uint64_t measure_at = start + (uint64_t)(O.warmup * 1e9);
  uint64_t end = measure_at + (uint64_t)(O.repeats * O.duration * 1e9);
  int w = -1;
  double cpu0 = 0;
  for (;;) {
    uint64_t t = now_ns();
    if (t >= end) break;
    int cur = t >= measure_at ? (int)((t - measure_at) / (uint64_t)(O.duration * 1e9)) : -1;
    if (cur != w) {
      if (w >= 0) {
        win_index = -1;
        double cpu = cpu_seconds() - cpu0;
        marker("done");
        printf("{\"window\":%d,\"seconds\":%.4f,\"records\":%llu,\"bytes\":%llu,\"records_per_s\":%.1f,"
               "\"mb_per_s\":%.2f,\"cpu_s\":%.3f,\"errors\":%llu",
               w, O.duration, (unsigned long long)s->win_acked[w],
               (unsigned long long)(s->win_acked[w] * (uint64_t)O.size), s->win_acked[w] / O.duration,
               s->win_acked[w] * (double)O.size / O.duration / 1e6, cpu, (unsigned long long)s->errors);
        print_hist("ack", &s->ack[w]);
        printf("}\n");
        fflush(stdout);
      }
      w = cur;
      win_start = measure_at + (uint64_t)(w * O.duration * 1e9);
      win_end = win_start + (uint64_t)(O.duration * 1e9);
      win_index = w;
      marker("measure");
      cpu0 = cpu_seconds();
    }
    while (s->inflight < (uint64_t)O.window && c.out_len < (1 << 20)) {
      int l = snprintf(hdr, sizeof hdr, "PUB %s _INBOX.bench.%llu %d\r\n", subject, (unsigned long long)seq, O.size);
      uint64_t ts = now_ns();
      memcpy(payload, &ts, 8);
      s->sent_at[seq % (uint64_t)O.window] = ts;
      out_add(&c, hdr, (size_t)l);
      out_add(&c, payload, (size_t)O.size);
      out_add(&c, "\r\n", 2);
      seq++;
      s->inflight++;
    }
    out_flush(&c);
    nats_read(&c, 5, nats_on_msg, s);
  }
  if (w >= 0) {
    double cpu = cpu_seconds() - cpu0;
    marker("done");
    printf("{\"window\":%d,\"seconds\":%.4f,\"records\":%llu,\"bytes\":%llu,\"records_per_s\":%.1f,"
           "\"mb_per_s\":%.2f,\"cpu_s\":%.3f,\"errors\":%llu",
           w, O.duration, (unsigned long long)s->win_acked[w], (unsigned long long)(s->win_acked[w] * (uint64_t)O.size),
           s->win_acked[w] / O.duration, s->win_acked[w] * (double)O.size / O.duration / 1e6, cpu,
           (unsigned long long)s->errors);
    print_hist("ack", &s->ack[w]);
    printf("}\n");
    fflush(stdout);
  }
  win_index = -1;
  /* drain outstanding acks (bounded) so the server is idle afterwards */
  deadline = now_ns() + 5000000000ull;
  while (s->inflight > 0 && now_ns() < deadline) {
    out_flush(&c);
    nats_read(&c, 50, nats_on_msg, s);
  }
  close(c.fd);
  return 0;
}
