/*
 * loadgen small: the cost of one small produce (issue 15's SMALL workload).
 *
 *   loadgen small -b HOST:PORT -t TOPIC [-s 100] [-p 8] [--create] [--warmup S] [--duration S] [--repeats R]
 *
 * One TCP connection sends Produce v9 requests one at a time (acks=1), each
 * carrying one record batch with one record of -s bytes, to the next of -p
 * partitions in turn, and times each round trip from before the write to
 * the last byte of the response. The protocol is spoken by hand rather than
 * through librdkafka: librdkafka hands each record from the caller's thread
 * to a broker thread and each report back through a queue, and those
 * wake-ups would be part of every round trip. The topic is created (when
 * asked) and awaited through librdkafka's admin API before the connection
 * opens.
 *
 * Included by loadgen.c (it uses that file's options, histogram, markers and
 * socket helpers); output as the produce mode: "# measure" / "# done"
 * around each window, then a JSON line whose "ack" histogram is the round
 * trip.
 */

static uint32_t small_crc_table[256];

static void small_crc_init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    small_crc_table[n] = c;
  }
}

/* CRC-32C (Castagnoli), as a record batch's crc field wants it. */
static uint32_t small_crc32c(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  while (n--) c = small_crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

static uint8_t *put_be(uint8_t *p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) *p++ = (uint8_t)(v >> (8 * i));
  return p;
}

static uint8_t *put_uvarint(uint8_t *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

/* Signed varint (zigzag), as inside records. */
static uint8_t *put_varint(uint8_t *p, int64_t v) {
  return put_uvarint(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* One record batch (magic 2) holding one record with a null key and `size` bytes of value. */
static size_t small_batch(uint8_t *out, int size) {
  uint8_t rec[64 + 65536];
  uint8_t *r = rec;
  *r++ = 0;                     /* attributes */
  r = put_varint(r, 0);         /* timestamp delta */
  r = put_varint(r, 0);         /* offset delta */
  r = put_varint(r, -1);        /* key: null */
  r = put_varint(r, size);      /* value length */
  memset(r, 'x', (size_t)size); /* value */
  r += size;
  r = put_varint(r, 0); /* no headers */
  uint8_t *p = out;
  p = put_be(p, 0, 8);       /* base offset */
  uint8_t *length_at = p;    /* batch length, filled in below */
  p = put_be(p, 0, 4);
  p = put_be(p, 0xffffffffu, 4); /* partition leader epoch: -1 */
  *p++ = 2;                  /* magic */
  uint8_t *crc_at = p;
  p = put_be(p, 0, 4);
  uint8_t *crc_from = p;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
  p = put_be(p, 0, 2);                     /* attributes */
  p = put_be(p, 0, 4);                     /* last offset delta */
  p = put_be(p, ms, 8);                    /* base timestamp */
  p = put_be(p, ms, 8);                    /* max timestamp */
  p = put_be(p, UINT64_MAX, 8);            /* producer id: -1 */
  p = put_be(p, 0xffff, 2);                /* producer epoch: -1 */
  p = put_be(p, 0xffffffffu, 4);           /* base sequence: -1 */
  p = put_be(p, 1, 4);                     /* one record */
  p = put_varint(p, (int64_t)(r - rec)); /* record length */
  memcpy(p, rec, (size_t)(r - rec));
  p += r - rec;
  put_be(length_at, (uint64_t)(p - length_at - 4), 4);
  put_be(crc_at, small_crc32c(crc_from, (size_t)(p - crc_from)), 4);
  return (size_t)(p - out);
}

/* A Produce v9 frame (request header v2) for one batch to `partition`, correlation id left 0. */
static size_t small_request(uint8_t *out, int partition, const uint8_t *batch, size_t batch_len) {
  static const char client_id[] = "loadgen";
  size_t topic_len = strlen(O.topic);
  uint8_t *p = out + 4;
  p = put_be(p, 0, 2); /* Produce */
  p = put_be(p, 9, 2);
  p = put_be(p, 0, 4); /* correlation id, set per request */
  p = put_be(p, sizeof client_id - 1, 2);
  memcpy(p, client_id, sizeof client_id - 1);
  p += sizeof client_id - 1;
  *p++ = 0;                 /* header tagged fields */
  *p++ = 0;                 /* transactional id: null */
  p = put_be(p, 1, 2);      /* acks */
  p = put_be(p, 10000, 4);  /* timeout ms */
  p = put_uvarint(p, 2);    /* one topic */
  p = put_uvarint(p, topic_len + 1);
  memcpy(p, O.topic, topic_len);
  p += topic_len;
  p = put_uvarint(p, 2);    /* one partition */
  p = put_be(p, (uint64_t)partition, 4);
  p = put_uvarint(p, batch_len + 1);
  memcpy(p, batch, batch_len);
  p += batch_len;
  *p++ = 0; /* partition tagged fields */
  *p++ = 0; /* topic tagged fields */
  *p++ = 0; /* request tagged fields */
  put_be(out, (uint64_t)(p - out - 4), 4);
  return (size_t)(p - out);
}

static uint64_t get_uvarint(const uint8_t **p, const uint8_t *end) {
  uint64_t v = 0;
  for (int shift = 0; *p < end && shift < 64; shift += 7) {
    uint8_t b = *(*p)++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return v;
}

/* The first partition's error code of a Produce v9 response body (after the size), or -2 if it is malformed. */
static int small_error_code(const uint8_t *body, size_t len, int32_t corr) {
  const uint8_t *p = body, *end = body + len;
  if (len < 5 || (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) != corr) return -2;
  p += 4;
  for (uint64_t tags = get_uvarint(&p, end); tags > 0 && p < end; tags--) {
    get_uvarint(&p, end);
    p += get_uvarint(&p, end);
  }
  if (get_uvarint(&p, end) < 2) return -2; /* topics */
  p += get_uvarint(&p, end) - 1;           /* topic name */
  if (get_uvarint(&p, end) < 2) return -2; /* partitions */
  p += 4;                                  /* partition index */
  if (p + 2 > end) return -2;
  return (int16_t)((uint16_t)p[0] << 8 | p[1]);
}

typedef struct {
  int fd;
  uint8_t *frames[256];
  size_t lengths[256];
  uint8_t *response;
  size_t response_cap;
  int32_t corr;
  uint64_t sent;
} small_conn_t;

/* One round trip; returns the partition's error code (0 on success). */
static int small_round_trip(small_conn_t *c) {
  int partition = (int)(c->sent++ % (uint64_t)O.partitions);
  uint8_t *frame = c->frames[partition];
  int32_t corr = ++c->corr;
  put_be(frame + 8, (uint32_t)corr, 4);
  if (write_all(c->fd, frame, c->lengths[partition]) != 0) die("small: write: %s", strerror(errno));
  uint8_t size_be[4];
  if (read_all(c->fd, size_be, 4) != 0) die("small: the broker closed the connection");
  size_t size = (size_t)size_be[0] << 24 | (size_t)size_be[1] << 16 | (size_t)size_be[2] << 8 | size_be[3];
  if (size > c->response_cap) {
    c->response = realloc(c->response, size);
    c->response_cap = size;
  }
  if (read_all(c->fd, c->response, size) != 0) die("small: the broker closed the connection");
  return small_error_code(c->response, size, corr);
}

/* Creates the topic through librdkafka and waits until its metadata names a leader for every partition. */
static void small_prepare_topic(void) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", O.bootstrap);
  apply_extra(conf);
  rd_kafka_conf_set_log_cb(conf, log_cb);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die("small: %s", err);
  if (O.create) create_topic(rk);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, O.topic, NULL);
  uint64_t deadline = now_ns() + 30000000000ull;
  for (;;) {
    const struct rd_kafka_metadata *md;
    int ready = 0;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == 0) {
      ready = md->topic_cnt == 1 && !md->topics[0].err && md->topics[0].partition_cnt >= O.partitions;
      for (int i = 0; ready && i < md->topics[0].partition_cnt; i++) ready = md->topics[0].partitions[i].leader >= 0;
      rd_kafka_metadata_destroy(md);
    }
    if (ready) break;
    if (now_ns() > deadline) die("small: topic %s has no leaders after 30 s", O.topic);
    usleep(50000);
  }
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
}

static void small_window(small_conn_t *c, int w) {
  hist_t *rtt = calloc(1, sizeof *rtt);
  uint64_t count = 0, errors = 0;
  marker("measure");
  double cpu0 = cpu_seconds();
  uint64_t start = now_ns(), end = start + (uint64_t)(O.duration * 1e9), t0;
  while ((t0 = now_ns()) < end) {
    int e = small_round_trip(c);
    hist_add(rtt, (int64_t)(now_ns() - t0));
    count++;
    if (e != 0 && errors++ == 0) fprintf(stderr, "loadgen: small: produce error %d\n", e);
  }
  double secs = (now_ns() - start) / 1e9;
  marker("done");
  double bytes = (double)count * O.size;
  printf("{\"window\":%d,\"seconds\":%.4f,\"records\":%llu,\"bytes\":%.0f,\"errors\":%llu,\"records_per_s\":%.1f,"
         "\"mb_per_s\":%.4f,\"cpu_s\":%.3f,\"batch_avg\":%d",
         w, secs, (unsigned long long)count, bytes, (unsigned long long)errors, count / secs, bytes / secs / 1e6,
         cpu_seconds() - cpu0, O.size);
  print_hist("ack", rtt);
  printf("}\n");
  fflush(stdout);
  free(rtt);
}

static int run_small(void) {
  if (!O.bootstrap || !O.topic) die("small needs -b and -t");
  if (O.partitions < 1 || O.partitions > 256) die("small: -p must be 1..256");
  if (O.size > 65536) die("small: -s must be at most 65536");
  small_crc_init();
  small_prepare_topic();
  small_conn_t c = {0};
  uint8_t *batch = malloc((size_t)O.size + 128);
  size_t batch_len = small_batch(batch, O.size);
  for (int i = 0; i < O.partitions; i++) {
    c.frames[i] = malloc(batch_len + strlen(O.topic) + 64);
    c.lengths[i] = small_request(c.frames[i], i, batch, batch_len);
  }
  c.fd = connect_to(O.bootstrap);
  if (c.fd < 0) die("small: connect %s: %s", O.bootstrap, strerror(errno));
  /* warm-up: a fresh topic may answer NOT_LEADER for a moment; errors here do not count */
  uint64_t warm_until = now_ns() + (uint64_t)(O.warmup * 1e9);
  do small_round_trip(&c);
  while (now_ns() < warm_until);
  for (int w = 0; w < O.repeats; w++) small_window(&c, w);
  close(c.fd);
  return 0;
}
