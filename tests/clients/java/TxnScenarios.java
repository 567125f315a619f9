/*
 * Transaction scenarios run by Apache Kafka's own Java clients against one
 * broker, for tests/clients/transactions_test.ts. Compiled together with
 * ClientScenarios.java, whose helpers (props, producer, consumer, topics, JSON)
 * it uses.
 *
 *   java -cp <kafka classpath>:<classes> TxnScenarios <bootstrap> <scenario> <prefix> <tmpdir> [n]
 *
 * Scenarios:
 *   producer          a transactional producer commits, aborts, and is fenced by a
 *                     second producer with the same transactional.id, which then
 *                     commits; what read_committed and read_uncommitted consumers read.
 *   streams-eos-seed  creates <prefix>-lines and <prefix>-counts and writes batch n
 *                     of input lines (4,000 lines of 5 words).
 *   streams-eos-run   runs a word count with processing.guarantee=exactly_once_v2
 *                     until its committed input offsets reach the input's end,
 *                     printing "progress <committed> <end>" lines; then checks the
 *                     counts topic read_committed: per word, the values are exactly
 *                     1, 2, ..., n (every increment once, none repeated or lost) and n
 *                     is the word's count in the input. The test SIGKILLs earlier runs
 *                     mid-way and starts it again on the same state directory.
 * Prints one JSON object as its last line.
 */
import java.io.File;
import java.io.PrintStream;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.*;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.*;

public class TxnScenarios {
  static final int LINES_PER_SEED = 4000;
  static final String[] WORDS = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
      "juliet", "kilo", "lima", "mike"};

  public static void main(String[] args) throws Exception {
    ClientScenarios.bootstrap = args[0];
    String scenario = args[1];
    ClientScenarios.prefix = args[2];
    ClientScenarios.tmpdir = args[3];
    int n = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    Map<String, Object> out = new LinkedHashMap<>();
    PrintStream stdout = System.out;
    long start = System.nanoTime();
    try {
      switch (scenario) {
        case "producer" -> producer(out);
        case "streams-eos-seed" -> seed(out, n);
        case "streams-eos-run" -> streamsRun(out);
        default -> throw new IllegalArgumentException("unknown scenario " + scenario);
      }
    } catch (Throwable e) {
      out.put("error", ClientScenarios.describe(e));
    }
    System.setOut(stdout);
    out.put("elapsedMs", (System.nanoTime() - start) / 1_000_000);
    stdout.println(ClientScenarios.Json.write(out));
    stdout.flush();
    Runtime.getRuntime().halt(0);
  }

  static KafkaProducer<String, String> txnProducer(String id) {
    var p = ClientScenarios.producer("transactional.id", id, "transaction.timeout.ms", 60000,
        "max.block.ms", 30000);
    p.initTransactions();
    return p;
  }

  /** Every value of the topic from the start with `isolation`, read until each partition's end for that isolation. */
  static List<String> values(String topic, int partitions, String isolation) {
    List<String> got = new ArrayList<>();
    try (var c = ClientScenarios.consumer("isolation.level", isolation)) {
      readToEnd(c, topic, partitions, r -> got.add(r.value()));
    }
    Collections.sort(got);
    return got;
  }

  /** Polls from the beginning until every partition's position reaches its end offset (the LSO under read_committed). */
  static <V> void readToEnd(KafkaConsumer<String, V> c, String topic, int partitions,
      java.util.function.Consumer<ConsumerRecord<String, V>> each) {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) tps.add(new TopicPartition(topic, p));
    c.assign(tps);
    c.seekToBeginning(tps);
    Map<TopicPartition, Long> ends = c.endOffsets(tps, Duration.ofSeconds(30));
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline && tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
      for (var r : c.poll(Duration.ofMillis(200))) each.accept(r);
    }
    if (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
      throw new IllegalStateException(topic + " not read to its end " + ends + " in 60 s");
    }
  }

  /** Commit, abort, then a transaction cut short by a second producer with the same id (which fences the first). */
  static void producer(Map<String, Object> out) throws Exception {
    String topic = ClientScenarios.prefix + "-txn";
    String id = ClientScenarios.prefix + "-producer";
    try (Admin admin = ClientScenarios.admin()) {
      ClientScenarios.createTopic(admin, topic, 3);
    }
    List<String> committed = new ArrayList<>(), sent = new ArrayList<>();
    var first = txnProducer(id);
    for (int t = 0; t < 3; t++) {
      first.beginTransaction();
      for (int i = 0; i < 30; i++) {
        String v = "t" + t + "-" + i;
        first.send(new ProducerRecord<>(topic, i % 3, "k" + i, v));
        sent.add(v);
        if (t == 0) committed.add(v);
      }
      first.flush();
      if (t == 0) first.commitTransaction();
      else if (t == 1) first.abortTransaction();
    }
    // The third transaction is open, its records written: a second producer with the same id takes over.
    var second = txnProducer(id);
    try {
      first.commitTransaction();
      out.put("fencedCommit", "committed");
    } catch (Exception e) {
      out.put("fencedCommit", e.getClass().getSimpleName());
    }
    try {
      first.beginTransaction();
      first.send(new ProducerRecord<>(topic, 0, "late", "late")).get(10, TimeUnit.SECONDS);
      out.put("fencedSend", "sent");
    } catch (Exception e) {
      out.put("fencedSend", ClientScenarios.describe(e).replaceAll(":.*", ""));
    }
    first.close(Duration.ofSeconds(5));
    second.beginTransaction();
    for (int i = 0; i < 10; i++) {
      String v = "s-" + i;
      second.send(new ProducerRecord<>(topic, i % 3, "k" + i, v));
      sent.add(v);
      committed.add(v);
    }
    second.commitTransaction();
    second.close(Duration.ofSeconds(5));
    Collections.sort(committed);
    Collections.sort(sent);
    List<String> readCommitted = values(topic, 3, "read_committed");
    List<String> readUncommitted = values(topic, 3, "read_uncommitted");
    out.put("committed", committed.size());
    out.put("readCommitted", readCommitted.size());
    out.put("readCommittedExact", readCommitted.equals(committed));
    out.put("sent", sent.size());
    out.put("readUncommitted", readUncommitted.size());
    out.put("readUncommittedExact", readUncommitted.equals(sent));
  }

  static String line(int n, int i) {
    int x = n * LINES_PER_SEED + i;
    StringBuilder sb = new StringBuilder();
    for (int w = 0; w < 5; w++) sb.append(w == 0 ? "" : " ").append(WORDS[(x * 7 + w * 3 + x / 13) % WORDS.length]);
    return sb.toString();
  }

  static void seed(Map<String, Object> out, int n) throws Exception {
    String in = ClientScenarios.prefix + "-lines", counts = ClientScenarios.prefix + "-counts";
    try (Admin admin = ClientScenarios.admin()) {
      var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (!existing.contains(in)) ClientScenarios.createTopic(admin, in, 2);
      if (!existing.contains(counts)) ClientScenarios.createTopic(admin, counts, 2);
    }
    try (var producer = ClientScenarios.producer("enable.idempotence", true)) {
      for (int i = 0; i < LINES_PER_SEED; i++) producer.send(new ProducerRecord<>(in, "l" + i, line(n, i)));
      producer.flush();
    }
    out.put("seeded", LINES_PER_SEED);
  }

  static long sum(Collection<Long> xs) {
    return xs.stream().mapToLong(Long::longValue).sum();
  }

  /** The input's end offsets and the app's committed ones, summed over partitions. */
  static long[] progress(Admin admin, String in, String appId) throws Exception {
    var parts = List.of(new TopicPartition(in, 0), new TopicPartition(in, 1));
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (var tp : parts) latest.put(tp, OffsetSpec.latest());
    var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
    var committed = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    long end = 0, done = 0;
    for (var tp : parts) {
      end += ends.get(tp).offset();
      var c = committed.get(tp);
      done += c == null ? 0 : c.offset();
    }
    return new long[] {done, end};
  }

  static void streamsRun(Map<String, Object> out) throws Exception {
    String prefix = ClientScenarios.prefix;
    String in = prefix + "-lines", outTopic = prefix + "-counts", appId = prefix + "-eos";
    StreamsBuilder builder = new StreamsBuilder();
    // 1 ms per input line: a seed batch then takes seconds and many commits, so the test can kill the run with
    // some but not all of it committed. Unthrottled, a fast broker took all 4,000 lines in one 200 ms commit.
    builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
        .peek((k, v) -> java.util.concurrent.locks.LockSupport.parkNanos(1_000_000))
        .flatMapValues(v -> Arrays.asList(v.split(" ")))
        .groupBy((k, w) -> w, Grouped.with("by-word", Serdes.String(), Serdes.String()))
        .count(Materialized.as("counts"))
        .toStream()
        .to(outTopic, Produced.with(Serdes.String(), Serdes.Long()));
    // One state dir per prefix and broker, kept across the killed runs, as a restarted Streams process would.
    String stateDir = new File(ClientScenarios.tmpdir,
        "eos-" + prefix + "-" + ClientScenarios.bootstrap.replaceAll("[^0-9]", "")).getPath();
    Properties p = ClientScenarios.props(StreamsConfig.APPLICATION_ID_CONFIG, appId,
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
        StreamsConfig.STATE_DIR_CONFIG, stateDir,
        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200,
        StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0,
        StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1,
        "consumer.auto.offset.reset", "earliest",
        "consumer.session.timeout.ms", 6000,
        "consumer.heartbeat.interval.ms", 500,
        "producer.transaction.timeout.ms", 10000);
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    KafkaStreams streams = new KafkaStreams(builder.build(), p);
    streams.setUncaughtExceptionHandler(e -> {
      errors.add(ClientScenarios.describe(e));
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .SHUTDOWN_CLIENT;
    });
    streams.start();
    try (Admin admin = ClientScenarios.admin()) {
      long deadline = System.currentTimeMillis() + 120_000;
      long[] at = {0, 0};
      // Until the input is committed and the counts topic holds every update (the second sub-topology, behind
      // the repartition topic, commits after the first).
      while (System.currentTimeMillis() < deadline && errors.isEmpty()) {
        at = progress(admin, in, appId);
        System.out.println("progress " + at[0] + " " + at[1]);
        System.out.flush();
        if (at[0] == at[1]) {
          out.clear();
          verify(out, in, outTopic);
          if (((Number) out.get("countUpdates")).longValue() == (Long) out.get("expectedUpdates")) break;
        }
        Thread.sleep(250);
      }
      out.put("inputCommitted", at[0] == at[1]);
      out.put("errors", errors);
    } finally {
      streams.close(Duration.ofSeconds(15));
    }
  }

  /** Per word: the committed values of the counts topic are exactly 1..n, n its count in the input. */
  static void verify(Map<String, Object> out, String in, String outTopic) {
    Map<String, Long> expected = new TreeMap<>();
    List<String> lines = values(in, 2, "read_committed");
    for (String l : lines) for (String w : l.split(" ")) expected.merge(w, 1L, Long::sum);
    long updates = sum(expected.values());
    Map<String, List<Long>> seen = new TreeMap<>();
    int[] read = {0};
    try (var c = new KafkaConsumer<String, Long>(ClientScenarios.props("isolation.level", "read_committed",
        "key.deserializer", StringDeserializer.class.getName(), "value.deserializer",
        LongDeserializer.class.getName()))) {
      readToEnd(c, outTopic, 2, r -> {
        seen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        read[0]++;
      });
    }
    List<String> wrong = new ArrayList<>();
    for (var e : expected.entrySet()) {
      List<Long> vs = seen.getOrDefault(e.getKey(), List.of());
      boolean exact = vs.size() == e.getValue();
      for (int i = 0; exact && i < vs.size(); i++) exact = vs.get(i) == i + 1;
      if (!exact) {
        wrong.add(e.getKey() + ": expected 1.." + e.getValue() + ", got " + vs.size() + " values ending "
            + vs.subList(Math.max(0, vs.size() - 3), vs.size()));
      }
    }
    out.put("inputLines", lines.size());
    out.put("countUpdates", read[0]);
    out.put("expectedUpdates", updates);
    out.put("wordsExact", wrong.isEmpty());
    out.put("wrongWords", wrong);
  }
}
