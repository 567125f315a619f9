/*
 * tsbroker benchmark load generator, linked against Debian's librdkafka-dev.
 * Built by scripts/bench/_setup.ts for bench.ts (gcc -O2 ... -lrdkafka -lpthread).
 *
 *   loadgen produce  -b HOST:PORT -t TOPIC [-s SIZE] [-p PARTITIONS] [-n PRODUCERS] [--acks 1|all|0]
 *                    [--rate RECORDS_PER_S] [--count N | --duration S] [--warmup S] [--repeats R]
 *                    [--create] [--linger MS] [--batch BYTES] [--idempotent] [--txn RECORDS] [--txn-sticky]
 *   loadgen consume  -b HOST:PORT -t TOPIC -p PARTITIONS [--count N]
 *   loadgen e2e      (produce options) : rate-limited producers plus one consumer in this process
 *   loadgen idle     -b HOST:PORT --connections N      open N connections, one ApiVersions each, hold until stdin closes
 *   loadgen mock     --topic NAME:PARTITIONS ...        librdkafka's in-memory mock cluster until stdin closes
 *   loadgen tcp      -b HOST:PORT [--duration S] [--warmup S] [--write BYTES]   bulk writes to a sink
 *   loadgen disk     --file PATH --write BYTES [--sync] [--duration S] [--max-bytes N]
 *   loadgen nats     -b HOST:PORT [-s SIZE] [--window N] [--duration S] [--warmup S] [--stream NAME]
 *   loadgen small    -b HOST:PORT -t TOPIC [-s SIZE] [-p PARTITIONS] [--create]   one small produce at a time
 *   loadgen version
 *
 * One translation unit: this file holds main(), the options and what the
 * modes share (clock, histogram, markers, measurement windows, librdkafka
 * settings, topic creation, sockets), and #includes the modes, one theme a
 * file: loadgen_produce.c (produce, e2e), loadgen_consume.c (consume),
 * loadgen_idle.c (idle), loadgen_ceilings.c (tcp, disk),
 * loadgen_references.c (mock, nats) and loadgen_small.c (small).
 *
 * produce, e2e and consume take -X key=value (repeatable): a librdkafka
 * setting for every client they make (e.g. -X security.protocol=ssl
 * -X ssl.ca.location=ca.pem for the TLS workload).
 *
 * Every record carries, in its first 8 bytes, its intended send time
 * (CLOCK_MONOTONIC ns; for rate-limited runs the scheduled time, so that a
 * stall shows up as latency instead of being hidden). Produce-ack latency is
 * delivery-report time minus that; end-to-end latency is consumer receive
 * time minus that.
 *
 * Output: "# measure" when a measured window starts and "# done" when it ends
 * (the harness samples the broker's CPU and memory there), then one JSON line
 * per window with the figures and this process's own CPU time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ util */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "loadgen: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(2);
}

static void marker(const char *what) {
  printf("# %s\n", what);
  fflush(stdout);
}

static void sleep_until(uint64_t t) {
  uint64_t n = now_ns();
  if (t <= n) return;
  uint64_t d = t - n;
  struct timespec ts = {(time_t)(d / 1000000000ull), (long)(d % 1000000000ull)};
  nanosleep(&ts, NULL);
}

/* Latency histogram in microseconds: exact below 64 µs, then 64 sub-buckets
 * per power of two (≤ 1.6% error). One per thread, merged at the end. */
#define SUB 64
#define NBUCKETS (SUB * 48)
typedef struct {
  uint64_t b[NBUCKETS];
  uint64_t count;
  uint64_t max;
} hist_t;

static int hist_index(uint64_t us) {
  if (us < SUB) return (int)us;
  int msb = 63 - __builtin_clzll(us);
  int shift = msb - 6;
  int idx = (shift + 1) * SUB + (int)((us >> shift) - SUB);
  return idx < NBUCKETS ? idx : NBUCKETS - 1;
}

static double hist_value(int idx) {
  if (idx < SUB) return idx;
  int shift = idx / SUB - 1;
  uint64_t m = (uint64_t)(idx % SUB + SUB);
  return (double)(m << shift) + (double)(1ull << shift) / 2.0;
}

static void hist_add(hist_t *h, int64_t ns) {
  uint64_t us = ns > 0 ? (uint64_t)ns / 1000u : 0;
  h->b[hist_index(us)]++;
  h->count++;
  if (us > h->max) h->max = us;
}

static void hist_merge(hist_t *into, const hist_t *from) {
  for (int i = 0; i < NBUCKETS; i++) into->b[i] += from->b[i];
  into->count += from->count;
  if (from->max > into->max) into->max = from->max;
}

/* percentile in milliseconds */
static double hist_pct(const hist_t *h, double p) {
  if (h->count == 0) return -1;
  uint64_t want = (uint64_t)(p * (double)h->count + 0.999999);
  if (want < 1) want = 1;
  uint64_t seen = 0;
  for (int i = 0; i < NBUCKETS; i++) {
    seen += h->b[i];
    if (seen >= want) return hist_value(i) / 1000.0;
  }
  return (double)h->max / 1000.0;
}

static void print_hist(const char *name, const hist_t *h) {
  printf(",\"%s\":{\"count\":%llu,\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f}", name,
         (unsigned long long)h->count, hist_pct(h, 0.5), hist_pct(h, 0.99), hist_pct(h, 0.999), h->max / 1000.0);
}

/* ------------------------------------------------------------------ options */

typedef struct {
  const char *mode;
  const char *bootstrap;
  const char *topic;
  const char *file;
  const char *stream;
  const char *acks;
  int size;
  int partitions;
  int producers;
  double rate; /* records/s over all producers; 0 = as fast as possible */
  long long count;
  double duration;
  double warmup;
  int repeats;
  int create;
  int linger_ms;
  int batch_bytes;
  int connections;
  int write_bytes;
  int sync;
  long long max_bytes;
  int window;
  int queue_mb;
  int idempotent; /* enable.idempotence (acks=all) */
  int txn;        /* > 0: a transactional producer committing every this many records */
  int txn_sticky; /* --txn-sticky: a transaction's records all go to one partition, the next one's to the next */
  const char *mock_topics[64];
  int mock_topic_count;
  const char *extra[32]; /* -X key=value: librdkafka settings for every client */
  int extra_count;
} opts_t;

static opts_t O = {
    .acks = "1",
    .size = 1024,
    .partitions = 8,
    .producers = 1,
    .duration = 5,
    .warmup = 0,
    .repeats = 1,
    .linger_ms = 5,
    .batch_bytes = 1048576,
    .connections = 1000,
    .write_bytes = 1048576,
    .max_bytes = 4LL << 30,
    .window = 1024,
    .queue_mb = 32,
    .stream = "BENCH",
};

static void parse_opts(int argc, char **argv) {
  if (argc < 2) die("usage: loadgen produce|consume|e2e|idle|mock|tcp|disk|nats|small [options]");
  O.mode = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
#define NEXT() (i + 1 < argc ? argv[++i] : (die("%s needs a value", a), ""))
    if (!strcmp(a, "-b")) O.bootstrap = NEXT();
    else if (!strcmp(a, "-t")) O.topic = NEXT();
    else if (!strcmp(a, "-s")) O.size = atoi(NEXT());
    else if (!strcmp(a, "-p")) O.partitions = atoi(NEXT());
    else if (!strcmp(a, "-n")) O.producers = atoi(NEXT());
    else if (!strcmp(a, "--acks")) O.acks = NEXT();
    else if (!strcmp(a, "--rate")) O.rate = atof(NEXT());
    else if (!strcmp(a, "--count")) O.count = atoll(NEXT());
    else if (!strcmp(a, "--duration")) O.duration = atof(NEXT());
    else if (!strcmp(a, "--warmup")) O.warmup = atof(NEXT());
    else if (!strcmp(a, "--repeats")) O.repeats = atoi(NEXT());
    else if (!strcmp(a, "--create")) O.create = 1;
    else if (!strcmp(a, "--linger")) O.linger_ms = atoi(NEXT());
    else if (!strcmp(a, "--batch")) O.batch_bytes = atoi(NEXT());
    else if (!strcmp(a, "--connections")) O.connections = atoi(NEXT());
    else if (!strcmp(a, "--write")) O.write_bytes = atoi(NEXT());
    else if (!strcmp(a, "--file")) O.file = NEXT();
    else if (!strcmp(a, "--sync")) O.sync = 1;
    else if (!strcmp(a, "--max-bytes")) O.max_bytes = atoll(NEXT());
    else if (!strcmp(a, "--window")) O.window = atoi(NEXT());
    else if (!strcmp(a, "--queue-mb")) O.queue_mb = atoi(NEXT());
    else if (!strcmp(a, "--stream")) O.stream = NEXT();
    else if (!strcmp(a, "--idempotent")) O.idempotent = 1;
    else if (!strcmp(a, "--txn")) O.txn = atoi(NEXT());
    else if (!strcmp(a, "--txn-sticky")) O.txn_sticky = 1;
    else if (!strcmp(a, "-X")) {
      if (O.extra_count == 32) die("too many -X");
      O.extra[O.extra_count++] = NEXT();
    } else if (!strcmp(a, "--topic")) {
      if (O.mock_topic_count == 64) die("too many --topic");
      O.mock_topics[O.mock_topic_count++] = NEXT();
    } else die("unknown option %s", a);
#undef NEXT
  }
  if (O.size < 8) O.size = 8;
  if (O.producers < 1) O.producers = 1;
  if (O.repeats < 1) O.repeats = 1;
  if (O.repeats > 16) O.repeats = 16;
}

static void set(rd_kafka_conf_t *conf, const char *k, const char *v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) die("%s=%s: %s", k, v, err);
}

static void seti(rd_kafka_conf_t *conf, const char *k, long long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", v);
  set(conf, k, buf);
}

/* The -X settings, after the mode's own (so that they win). */
static void apply_extra(rd_kafka_conf_t *conf) {
  for (int i = 0; i < O.extra_count; i++) {
    char key[256];
    const char *eq = strchr(O.extra[i], '=');
    if (!eq || eq == O.extra[i] || (size_t)(eq - O.extra[i]) >= sizeof key) die("-X %s: want key=value", O.extra[i]);
    snprintf(key, sizeof key, "%.*s", (int)(eq - O.extra[i]), O.extra[i]);
    set(conf, key, eq + 1);
  }
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
  (void)rk;
  if (level <= 3) fprintf(stderr, "loadgen: rdkafka %s: %s\n", fac, buf);
}

/* ------------------------------------------------------------------ topic creation */

static void create_topic(rd_kafka_t *rk) {
  char err[512];
  rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(O.topic, O.partitions, 1, err, sizeof err);
  if (!nt) die("NewTopic: %s", err);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(ao, 10000, err, sizeof err);
  rd_kafka_CreateTopics(rk, &nt, 1, ao, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
  if (!ev) die("CreateTopics timed out");
  if (rd_kafka_event_error(ev)) die("CreateTopics: %s", rd_kafka_event_error_string(ev));
  const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
  size_t n;
  const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
  for (size_t i = 0; i < n; i++) {
    rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
    if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
      die("CreateTopics %s: %s", O.topic, rd_kafka_topic_result_error_string(tr[i]));
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(ao);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
}

/* ------------------------------------------------------------------ measurement windows */

/* Measurement windows are shared by all threads: [win_start, win_end). Acks
 * (and consumer receipts) that arrive inside a window count toward it. */
static volatile uint64_t win_start = UINT64_MAX, win_end = UINT64_MAX;
static volatile int win_index = -1;
static volatile int stop_all = 0;

/* ------------------------------------------------------------------ sockets */

static int connect_to(const char *hostport) {
  char host[256];
  const char *colon = strrchr(hostport, ':');
  if (!colon) die("bad address %s", hostport);
  snprintf(host, sizeof host, "%.*s", (int)(colon - hostport), hostport);
  struct addrinfo hints = {0}, *res;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, colon + 1, &hints, &res) != 0) die("cannot resolve %s", hostport);
  int fd = socket(res->ai_family, SOCK_STREAM, 0);
  if (fd < 0) die("socket: %s", strerror(errno));
  if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    int e = errno;
    close(fd);
    freeaddrinfo(res);
    errno = e;
    return -1;
  }
  freeaddrinfo(res);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static int read_all(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static void raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

/* ------------------------------------------------------------------ modes, one theme a file */

#include "loadgen_consume.c"
#include "loadgen_produce.c"
#include "loadgen_idle.c"
#include "loadgen_ceilings.c"
#include "loadgen_references.c"
#include "loadgen_small.c"

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv) {
  parse_opts(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  if (!strcmp(O.mode, "version")) return printf("librdkafka %s\n", rd_kafka_version_str()) < 0;
  if (!strcmp(O.mode, "produce")) return run_produce(0);
  if (!strcmp(O.mode, "e2e")) return run_produce(1);
  if (!strcmp(O.mode, "consume")) return run_consume();
  if (!strcmp(O.mode, "idle")) return run_idle();
  if (!strcmp(O.mode, "mock")) return run_mock();
  if (!strcmp(O.mode, "tcp")) return run_tcp();
  if (!strcmp(O.mode, "disk")) return run_disk();
  if (!strcmp(O.mode, "nats")) return run_nats();
  if (!strcmp(O.mode, "small")) return run_small();
  die("unknown mode %s", O.mode);
  return 2;
}
