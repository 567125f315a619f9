/*
 * tsbroker benchmark load generator, linked against Debian's librdkafka-dev.
 * Built by scripts/bench/bench.ts (gcc -O2 ... -lrdkafka -lpthread).
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
 *                    (loadgen_small.c)
 *   loadgen version
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

/* ------------------------------------------------------------------ produce */

/* Measurement windows are shared by all threads: [win_start, win_end). Acks
 * (and consumer receipts) that arrive inside a window count toward it. */
static volatile uint64_t win_start = UINT64_MAX, win_end = UINT64_MAX;
static volatile int win_index = -1;
static volatile int stop_all = 0;

typedef struct {
  int id;
  rd_kafka_t *rk;
  hist_t ack[16];
  uint64_t acked[16], bytes[16];
  uint64_t errors;
  uint64_t sent;
  uint64_t batches[16];
  pthread_t th, poller;
} producer_t;

static int64_t record_time(const void *payload, size_t len) {
  if (!payload || len < 8) return -1;
  int64_t t;
  memcpy(&t, payload, 8);
  return t;
}

/* Delivery reports arrive as events, one per produce response: one clock
 * read per response, and the intended send time comes back as the record's
 * opaque, so the payload is not touched again. */
static void on_delivery(producer_t *p, rd_kafka_event_t *ev) {
  uint64_t t = now_ns();
  int w = win_index;
  int in = w >= 0 && w < 16 && t >= win_start && t < win_end;
  const rd_kafka_message_t *m;
  int first = 1; /* librdkafka 2.0 sends one partition's batch per Produce request, so one event is one batch */
  while ((m = rd_kafka_event_message_next(ev))) {
    if (m->err) {
      if (p->errors++ == 0) fprintf(stderr, "loadgen: delivery failed: %s\n", rd_kafka_err2str(m->err));
      continue;
    }
    if (!in) continue;
    if (first) p->batches[w]++;
    first = 0;
    p->acked[w]++;
    p->bytes[w] += m->len;
    hist_add(&p->ack[w], (int64_t)t - (int64_t)(uintptr_t)m->_private);
  }
}

/* Bound of each producer's queue (--queue-mb, default 32 MiB as Java's
 * buffer.memory), at most 65536 records, shared out when there are many producers. */
static long long queue_messages(void) {
  long long bytes = ((long long)O.queue_mb << 20) / (O.producers > 4 ? O.producers / 4 : 1);
  long long n = bytes / O.size;
  if (n > 65536) n = 65536;
  if (n < 1024) n = 1024;
  return n;
}

/* A transactional call's error ends the run: the benchmark measures the happy path. */
static void txn_check(rd_kafka_error_t *error, const char *what) {
  if (!error) return;
  die("%s: %s", what, rd_kafka_error_string(error));
}

/* --txn: records i .. i+txn-1 of a producer form one transaction, committed after the last. */
static void txn_before(rd_kafka_t *rk, uint64_t i) {
  if (O.txn > 0 && i % (uint64_t)O.txn == 0) txn_check(rd_kafka_begin_transaction(rk), "begin_transaction");
}

static void txn_after(rd_kafka_t *rk, uint64_t sent) {
  if (O.txn > 0 && sent % (uint64_t)O.txn == 0) txn_check(rd_kafka_commit_transaction(rk, 30000), "commit_transaction");
}

static rd_kafka_t *new_producer(producer_t *p) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", O.bootstrap);
  set(conf, "acks", O.acks);
  seti(conf, "linger.ms", O.linger_ms);
  seti(conf, "batch.size", O.batch_bytes);
  seti(conf, "message.max.bytes", O.batch_bytes + 65536);
  set(conf, "queue.buffering.max.kbytes", "1048576");
  seti(conf, "queue.buffering.max.messages", queue_messages());
  set(conf, "compression.codec", "none");
  set(conf, "enable.idempotence", O.idempotent || O.txn > 0 ? "true" : "false");
  if (O.txn > 0) {
    char id[64];
    snprintf(id, sizeof id, "loadgen-%d-%d", (int)getpid(), p->id);
    set(conf, "transactional.id", id);
    /* The next transaction's AddPartitionsToTxn meets CONCURRENT_TRANSACTIONS while the broker still writes
     * the last one's markers; librdkafka waits retry.backoff.ms (100) before asking again, Java's producer
     * 20 ms. A short back-off measures the broker rather than the client's timer. */
    set(conf, "retry.backoff.ms", "5");
  }
  set(conf, "socket.nagle.disable", "true");
  apply_extra(conf);
  rd_kafka_conf_set_log_cb(conf, log_cb);
  rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_DR);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die("producer: %s", err);
  if (O.txn > 0) txn_check(rd_kafka_init_transactions(rk, 30000), "init_transactions");
  return rk;
}

static uint64_t run_start, run_stop; /* producers run in [run_start, run_stop) */

/* Delivery reports are served by one poller thread per producer, so that the
 * ack time is taken when the ack arrives, not when the sender next polls. */
static void *poller_main(void *arg) {
  producer_t *p = arg;
  rd_kafka_queue_t *q = rd_kafka_queue_get_main(p->rk);
  while (!stop_all) {
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20);
    if (!ev) continue;
    if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DR) on_delivery(p, ev);
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(q);
  return NULL;
}

static void *producer_main(void *arg) {
  producer_t *p = arg;
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(p->rk, O.topic, NULL);
  char *buf = malloc((size_t)O.size);
  memset(buf, 'x', (size_t)O.size);
  double per = O.rate > 0 ? O.rate / O.producers : 0;
  long long limit = O.count > 0 ? (O.count + O.producers - 1 - p->id) / O.producers : -1;
  uint64_t i = 0;
  int part = p->id % O.partitions;
  uint64_t start = run_start;
  for (;;) {
    if (stop_all) break;
    if (limit >= 0 && (long long)i >= limit) break;
    uint64_t now = now_ns();
    if (O.count <= 0 && now >= run_stop) break;
    uint64_t intended = now;
    if (per > 0) {
      /* scheduled time of record i of this producer */
      intended = start + (uint64_t)((double)i * 1e9 / per);
      if (intended > now) {
        sleep_until(intended < now + 1000000 ? intended : now + 1000000);
        continue;
      }
    }
    memcpy(buf, &intended, 8);
    txn_before(p->rk, i);
    while (rd_kafka_produce(rkt, part, RD_KAFKA_MSG_F_COPY, buf, (size_t)O.size, NULL, 0, (void *)(uintptr_t)intended) != 0) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        die("produce: %s", rd_kafka_err2str(rd_kafka_last_error()));
      usleep(500);
      if (stop_all) break;
    }
    /* Round robin per record; with --txn-sticky per transaction, as a keyless producer's sticky partitioner
     * (librdkafka's sticky.partitioning.linger.ms, Java's KIP-480) keeps a quickly produced transaction on one. */
    if (!O.txn_sticky || O.txn <= 0 || (i + 1) % (uint64_t)O.txn == 0) {
      if (++part == O.partitions) part = 0;
    }
    i++;
    txn_after(p->rk, i);
  }
  p->sent = i;
  if (O.txn > 0 && i % (uint64_t)O.txn != 0) txn_check(rd_kafka_commit_transaction(p->rk, 30000), "commit_transaction");
  /* let in-flight records finish so that the broker is idle when the next run starts */
  uint64_t deadline = now_ns() + 15000000000ull;
  while (rd_kafka_outq_len(p->rk) > 0 && now_ns() < deadline) usleep(2000);
  rd_kafka_topic_destroy(rkt);
  free(buf);
  return NULL;
}

/* consumer side of e2e */
typedef struct {
  rd_kafka_t *rk;
  hist_t e2e[16];
  uint64_t got[16], bytes[16];
  pthread_t th;
} e2e_consumer_t;

static rd_kafka_t *new_consumer(void) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", O.bootstrap);
  set(conf, "enable.partition.eof", "true");
  set(conf, "fetch.message.max.bytes", "1048576");
  set(conf, "socket.nagle.disable", "true");
  set(conf, "queued.max.messages.kbytes", "262144");
  apply_extra(conf);
  rd_kafka_conf_set_log_cb(conf, log_cb);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) die("consumer: %s", err);
  return rk;
}

static rd_kafka_queue_t *start_partitions(rd_kafka_t *rk, rd_kafka_topic_t **rkt_out, int64_t offset) {
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, O.topic, NULL);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  for (int p = 0; p < O.partitions; p++)
    if (rd_kafka_consume_start_queue(rkt, p, offset, q) == -1)
      die("consume_start %s/%d: %s", O.topic, p, rd_kafka_err2str(rd_kafka_last_error()));
  *rkt_out = rkt;
  return q;
}

static void stop_partitions(rd_kafka_topic_t *rkt, rd_kafka_queue_t *q) {
  for (int p = 0; p < O.partitions; p++) rd_kafka_consume_stop(rkt, p);
  rd_kafka_queue_destroy(q);
  rd_kafka_topic_destroy(rkt);
}

static void *e2e_consumer_main(void *arg) {
  e2e_consumer_t *c = arg;
  rd_kafka_topic_t *rkt;
  rd_kafka_queue_t *q = start_partitions(c->rk, &rkt, RD_KAFKA_OFFSET_BEGINNING);
  /* one message at a time: a batch call would wait for a full batch and add its wait to the latency */
  while (!stop_all) {
    rd_kafka_message_t *m = rd_kafka_consume_queue(q, 100);
    if (!m) continue;
    uint64_t t = now_ns();
    int w = win_index;
    if (!m->err && w >= 0 && w < 16 && t >= win_start && t < win_end) {
      c->got[w]++;
      c->bytes[w] += m->len;
      int64_t sent = record_time(m->payload, m->len);
      if (sent > 0) hist_add(&c->e2e[w], (int64_t)t - sent);
    }
    rd_kafka_message_destroy(m);
  }
  stop_partitions(rkt, q);
  return NULL;
}

static int run_produce(int with_consumer) {
  if (!O.bootstrap || !O.topic) die("produce needs -b and -t");
  producer_t *ps = calloc((size_t)O.producers, sizeof *ps);
  for (int i = 0; i < O.producers; i++) {
    ps[i].id = i;
    ps[i].rk = new_producer(&ps[i]);
  }
  if (O.create) create_topic(ps[0].rk);
  e2e_consumer_t cons;
  memset(&cons, 0, sizeof cons);
  if (with_consumer) {
    cons.rk = new_consumer();
    pthread_create(&cons.th, NULL, e2e_consumer_main, &cons);
  }
  /* warm every connection (metadata, ApiVersions) before the clock starts */
  for (int i = 0; i < O.producers; i++) {
    const struct rd_kafka_metadata *md;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(ps[i].rk, O.topic, NULL);
    if (rd_kafka_metadata(ps[i].rk, 0, rkt, &md, 10000) == 0) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
  }
  if (with_consumer) sleep_until(now_ns() + 300000000ull);

  int windows = O.count > 0 ? 1 : O.repeats;
  run_start = now_ns();
  uint64_t measure_at = run_start + (uint64_t)(O.warmup * 1e9);
  run_stop = O.count > 0 ? UINT64_MAX : measure_at + (uint64_t)(windows * O.duration * 1e9);
  for (int i = 0; i < O.producers; i++) {
    pthread_create(&ps[i].poller, NULL, poller_main, &ps[i]);
    pthread_create(&ps[i].th, NULL, producer_main, &ps[i]);
  }

  double cpu0 = 0;
  uint64_t t0 = 0;
  if (O.count > 0) {
    win_start = run_start;
    win_end = UINT64_MAX;
    win_index = 0;
    marker("measure");
    cpu0 = cpu_seconds();
    t0 = run_start;
    for (int i = 0; i < O.producers; i++) pthread_join(ps[i].th, NULL);
    uint64_t t1 = now_ns();
    marker("done");
    uint64_t acked = 0, bytes = 0, errors = 0;
    hist_t *ack = calloc(1, sizeof *ack);
    for (int i = 0; i < O.producers; i++) {
      acked += ps[i].acked[0];
      bytes += ps[i].bytes[0];
      errors += ps[i].errors;
      hist_merge(ack, &ps[i].ack[0]);
    }
    double secs = (t1 - t0) / 1e9;
    printf("{\"window\":0,\"seconds\":%.4f,\"records\":%llu,\"bytes\":%llu,\"errors\":%llu,\"records_per_s\":%.1f,"
           "\"mb_per_s\":%.2f,\"cpu_s\":%.3f",
           secs, (unsigned long long)acked, (unsigned long long)bytes, (unsigned long long)errors, acked / secs,
           bytes / secs / 1e6, cpu_seconds() - cpu0);
    print_hist("ack", ack);
    printf("}\n");
    fflush(stdout);
  } else {
    sleep_until(measure_at);
    win_start = measure_at;
    win_end = measure_at + (uint64_t)(O.duration * 1e9);
    win_index = 0;
    marker("measure");
    cpu0 = cpu_seconds();
    for (int w = 0; w < windows; w++) {
      uint64_t e = measure_at + (uint64_t)((w + 1) * O.duration * 1e9);
      sleep_until(e);
      double cpu1 = cpu_seconds();
      marker("done");
      if (w + 1 < windows) {
        /* the next window starts where this one ended */
        win_start = e;
        win_end = e + (uint64_t)(O.duration * 1e9);
        win_index = w + 1;
        marker("measure");
      }
      double cpu_w = cpu1 - cpu0;
      cpu0 = cpu1;
      /* callbacks that were already counting into window w finish */
      usleep(20000);
      uint64_t acked = 0, bytes = 0, errors = 0, got = 0, gbytes = 0;
      uint64_t batches = 0;
      hist_t *ack = calloc(1, sizeof *ack);
      for (int i = 0; i < O.producers; i++) {
        acked += ps[i].acked[w];
        bytes += ps[i].bytes[w];
        errors += ps[i].errors;
        hist_merge(ack, &ps[i].ack[w]);
        batches += ps[i].batches[w];
      }
      double secs = O.duration;
      printf("{\"window\":%d,\"seconds\":%.4f,\"records\":%llu,\"bytes\":%llu,\"errors\":%llu,\"records_per_s\":%.1f,"
             "\"mb_per_s\":%.2f,\"cpu_s\":%.3f,\"batch_avg\":%.0f,\"target_rate\":%.0f",
             w, secs, (unsigned long long)acked, (unsigned long long)bytes, (unsigned long long)errors, acked / secs,
             bytes / secs / 1e6, cpu_w, batches ? (double)bytes / (double)batches : 0.0, O.rate);
      print_hist("ack", ack);
      if (with_consumer) {
        got = cons.got[w];
        gbytes = cons.bytes[w];
        printf(",\"consumed\":%llu,\"consumed_bytes\":%llu", (unsigned long long)got, (unsigned long long)gbytes);
        print_hist("e2e", &cons.e2e[w]);
      }
      printf("}\n");
      fflush(stdout);
      free(ack);
    }
    win_index = -1;
    for (int i = 0; i < O.producers; i++) pthread_join(ps[i].th, NULL);
  }
  stop_all = 1;
  for (int i = 0; i < O.producers; i++) pthread_join(ps[i].poller, NULL);
  if (with_consumer) {
    pthread_join(cons.th, NULL);
    rd_kafka_destroy(cons.rk);
  }
  for (int i = 0; i < O.producers; i++) rd_kafka_destroy(ps[i].rk);
  free(ps);
  return 0;
}

/* ------------------------------------------------------------------ consume (catch-up) */

static int run_consume(void) {
  if (!O.bootstrap || !O.topic) die("consume needs -b and -t");
  rd_kafka_t *rk = new_consumer();
  rd_kafka_topic_t *rkt;
  rd_kafka_queue_t *q = start_partitions(rk, &rkt, RD_KAFKA_OFFSET_BEGINNING);
  uint64_t got = 0, bytes = 0, t0 = 0, t1 = 0;
  double cpu0 = 0;
  char *eof = calloc((size_t)O.partitions, 1);
  int eofs = 0;
  uint64_t deadline = now_ns() + (uint64_t)((O.duration > 0 ? O.duration : 60) * 1e9);
  for (;;) {
    if ((O.count > 0 && (long long)got >= O.count) || eofs == O.partitions) break;
    rd_kafka_message_t *m = rd_kafka_consume_queue(q, 100);
    if (m) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (m->partition >= 0 && m->partition < O.partitions && !eof[m->partition]) {
          eof[m->partition] = 1;
          eofs++;
        }
      } else if (m->err) {
        fprintf(stderr, "loadgen: consume: %s\n", rd_kafka_message_errstr(m));
      } else {
        if (got == 0) {
          t0 = now_ns();
          marker("measure");
          cpu0 = cpu_seconds();
        }
        got++;
        bytes += m->len;
        t1 = now_ns();
      }
      rd_kafka_message_destroy(m);
    }
    if (now_ns() > deadline) {
      fprintf(stderr, "loadgen: consume: time limit after %llu records\n", (unsigned long long)got);
      break;
    }
  }
  double cpu = cpu_seconds() - cpu0;
  marker("done");
  double secs = got ? (t1 - t0) / 1e9 : 0;
  if (secs <= 0) secs = 1e-9;
  printf("{\"window\":0,\"seconds\":%.4f,\"records\":%llu,\"bytes\":%llu,\"records_per_s\":%.1f,\"mb_per_s\":%.2f,"
         "\"cpu_s\":%.3f,\"eof_partitions\":%d}\n",
         secs, (unsigned long long)got, (unsigned long long)bytes, got / secs, bytes / secs / 1e6, cpu, eofs);
  fflush(stdout);
  stop_partitions(rkt, q);
  rd_kafka_destroy(rk);
  return 0;
}

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
