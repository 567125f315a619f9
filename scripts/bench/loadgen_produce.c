/*
 * loadgen produce and loadgen e2e: librdkafka producers (-n of them, each
 * with a sender thread and a thread serving its delivery reports), timed by
 * the acks, and for e2e one consumer in the same process timing each record
 * from its intended send time to its receipt; --idempotent and --txn make
 * the producers idempotent or transactional.
 *
 * Included by loadgen.c (it uses that file's options, histogram, markers,
 * measurement windows and librdkafka settings, and the consumer helpers of
 * loadgen_consume.c).
 */

/* ------------------------------------------------------------------ produce and e2e */

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
