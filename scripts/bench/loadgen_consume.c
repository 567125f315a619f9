/*
 * loadgen consume: one librdkafka consumer reading -p partitions from the
 * start (catch-up), timed from the first record to the last; and the
 * consumer helpers it shares with e2e (loadgen_produce.c).
 *
 * Included by loadgen.c (it uses that file's options, markers and
 * librdkafka settings), before loadgen_produce.c.
 */

/* ------------------------------------------------------------------ consumer (consume and e2e) */

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
