/*
 * Scenarios run by Apache Kafka's own Java clients (kafka-clients, kafka-streams,
 * kafka-tools) against one broker, for tests/clients/java_test.ts. The same
 * program runs against tsbroker and against the reference Kafka, and prints one
 * JSON object on stdout whose fields are meant to be compared between the two.
 *
 *   java -cp <kafka classpath>:<classes> ClientScenarios <bootstrap> <scenario> <prefix> [tmpdir]
 *
 * Scenarios: produce, group-classic, group-consumer, consumer-features, admin,
 * streams, tools. Every wait is bounded; a scenario that cannot finish reports
 * what it saw, with "error". Topics are named <prefix>-..., so one broker can
 * serve several runs.
 */
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.*;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.*;

public class ClientScenarios {
  static String bootstrap;
  static String prefix;
  static String tmpdir;
  static final long WAIT_MS = 30_000;

  public static void main(String[] args) throws Exception {
    bootstrap = args[0];
    String scenario = args[1];
    prefix = args[2];
    tmpdir = args.length > 3 ? args[3] : System.getProperty("java.io.tmpdir");
    Map<String, Object> out = new LinkedHashMap<>();
    PrintStream stdout = System.out;
    long start = System.nanoTime();
    try {
      switch (scenario) {
        case "produce" -> produce(out);
        case "group-classic" -> group(out, "classic");
        case "group-consumer" -> group(out, "consumer");
        case "consumer-features" -> consumerFeatures(out);
        case "admin" -> admin(out);
        case "streams" -> streams(out);
        case "tools" -> tools(out);
        default -> throw new IllegalArgumentException("unknown scenario " + scenario);
      }
    } catch (Throwable e) {
      out.put("error", describe(e));
    }
    System.setOut(stdout);
    out.put("elapsedMs", (System.nanoTime() - start) / 1_000_000);
    stdout.println(Json.write(out));
    stdout.flush();
    // Client threads (Streams, the admin's network thread) must not keep the JVM alive.
    Runtime.getRuntime().halt(0);
  }

  // ---------------------------------------------------------------- helpers

  static String describe(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException || t instanceof KafkaException && t.getCause() != null
        && t.getClass() == KafkaException.class) && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  static Properties props(Object... kv) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    for (int i = 0; i < kv.length; i += 2) p.put(kv[i], String.valueOf(kv[i + 1]));
    return p;
  }

  static Admin admin() {
    return Admin.create(props("default.api.timeout.ms", 20000, "request.timeout.ms", 10000));
  }

  static void createTopic(Admin admin, String name, int partitions) throws Exception {
    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(WAIT_MS, TimeUnit.MILLISECONDS);
    // Metadata may lag the creation by a moment on any broker.
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (System.currentTimeMillis() < deadline) {
      try {
        var d = admin.describeTopics(List.of(name)).allTopicNames().get(5, TimeUnit.SECONDS).get(name);
        if (d.partitions().size() == partitions && d.partitions().stream().allMatch(p -> p.leader() != null)) return;
      } catch (ExecutionException e) {
        // not there yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("topic " + name + " did not appear in metadata");
  }

  static KafkaConsumer<String, String> consumer(Object... kv) {
    Properties p = props("key.deserializer", StringDeserializer.class.getName(), "value.deserializer",
        StringDeserializer.class.getName(), "auto.offset.reset", "earliest", "enable.auto.commit", "false");
    for (int i = 0; i < kv.length; i += 2) p.put(kv[i], String.valueOf(kv[i + 1]));
    return new KafkaConsumer<>(p);
  }

  static KafkaProducer<String, String> producer(Object... kv) {
    Properties p = props("key.serializer", StringSerializer.class.getName(), "value.serializer",
        StringSerializer.class.getName(), "linger.ms", 5, "delivery.timeout.ms", 30000, "request.timeout.ms", 10000);
    for (int i = 0; i < kv.length; i += 2) p.put(kv[i], String.valueOf(kv[i + 1]));
    return new KafkaProducer<>(p);
  }

  /** Reads every partition of a topic from the beginning until `expected` records arrived or WAIT_MS passed. */
  static List<ConsumerRecord<String, String>> readAll(String topic, int partitions, int expected) {
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    try (var c = consumer()) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < partitions; p++) tps.add(new TopicPartition(topic, p));
      c.assign(tps);
      c.seekToBeginning(tps);
      long deadline = System.currentTimeMillis() + WAIT_MS;
      while (got.size() < expected && System.currentTimeMillis() < deadline) {
        for (var r : c.poll(Duration.ofMillis(200))) got.add(r);
      }
      // A short extra poll: records beyond the expected ones would be a bug too.
      for (var r : c.poll(Duration.ofMillis(300))) got.add(r);
    }
    return got;
  }

  static String header(ConsumerRecord<?, ?> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- produce

  /**
   * Each variant (acks 0/1/all, idempotent, each compression codec) sends 60
   * keyed records with two headers to its own 3-partition topic; then a
   * consumer reads the topic back. Per variant: records acknowledged, read,
   * in order per partition, keys, values and headers intact.
   */
  static void produce(Map<String, Object> out) throws Exception {
    String[][] variants = {
        {"acks0", "acks", "0", "enable.idempotence", "false"},
        {"acks1", "acks", "1", "enable.idempotence", "false"},
        {"acksAll", "acks", "all", "enable.idempotence", "false"},
        {"idempotent", "acks", "all", "enable.idempotence", "true", "max.in.flight.requests.per.connection", "5"},
        {"gzip", "compression.type", "gzip"},
        {"snappy", "compression.type", "snappy"},
        {"lz4", "compression.type", "lz4"},
        {"zstd", "compression.type", "zstd"},
    };
    final int n = 60;
    try (Admin admin = admin()) {
      for (String[] v : variants) createTopic(admin, prefix + "-" + v[0], 3);
    }
    Map<String, Object> results = new LinkedHashMap<>();
    for (String[] v : variants) {
      String topic = prefix + "-" + v[0];
      Object[] kv = Arrays.copyOfRange(v, 1, v.length, Object[].class);
      Map<String, Object> r = new LinkedHashMap<>();
      List<RecordMetadata> acked = Collections.synchronizedList(new ArrayList<>());
      List<String> failed = Collections.synchronizedList(new ArrayList<>());
      try (var p = producer(kv)) {
        for (int i = 0; i < n; i++) {
          var rec = new ProducerRecord<>(topic, "k" + (i % 7), v[0] + "-" + i);
          rec.headers().add("variant", v[0].getBytes(StandardCharsets.UTF_8));
          rec.headers().add("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
          p.send(rec, (md, e) -> {
            if (e != null) failed.add(describe(e));
            else acked.add(md);
          });
        }
        p.flush();
      }
      r.put("acknowledged", acked.size());
      r.put("failed", failed);
      // acks=0 gets no offsets back (-1); the others get the real ones.
      r.put("offsetsKnown", acked.stream().allMatch(m -> m.offset() >= 0));
      var got = readAll(topic, 3, n);
      r.put("received", got.size());
      Map<Integer, Long> last = new HashMap<>();
      Map<Integer, Integer> lastSeq = new HashMap<>();
      boolean inOrder = true, intact = true, keyedConsistently = true;
      Map<String, Integer> keyPartition = new HashMap<>();
      Set<Integer> seqs = new TreeSet<>();
      for (var rec : got) {
        int seq = Integer.parseInt(header(rec, "seq"));
        seqs.add(seq);
        if (last.containsKey(rec.partition()) && rec.offset() != last.get(rec.partition()) + 1) inOrder = false;
        if (lastSeq.containsKey(rec.partition()) && seq <= lastSeq.get(rec.partition())) inOrder = false;
        last.put(rec.partition(), rec.offset());
        lastSeq.put(rec.partition(), seq);
        if (!rec.value().equals(v[0] + "-" + seq) || !rec.key().equals("k" + (seq % 7))
            || !v[0].equals(header(rec, "variant")) || rec.headers().toArray().length != 2) intact = false;
        Integer prev = keyPartition.putIfAbsent(rec.key(), rec.partition());
        if (prev != null && prev != rec.partition()) keyedConsistently = false;
      }
      r.put("complete", seqs.size() == n);
      r.put("inOrderPerPartition", inOrder);
      r.put("keysValuesHeadersIntact", intact);
      r.put("sameKeySamePartition", keyedConsistently);
      r.put("firstOffsetsStartAtZero", got.stream().filter(x -> x.offset() == 0).count() == last.size());
      results.put(v[0], r);
    }
    out.put("variants", results);
  }

  // ---------------------------------------------------------------- groups

  static final class Member implements ConsumerRebalanceListener {
    final String name;
    final KafkaConsumer<String, String> consumer;
    final List<String> events = new ArrayList<>();
    final Set<TopicPartition> assignment = new HashSet<>();
    final List<String> consumed = new ArrayList<>();
    int assignments;

    Member(String name, String groupId, String protocol, String topic, Object... extra) {
      this.name = name;
      List<Object> kv = new ArrayList<>(List.of("group.id", groupId, "group.protocol", protocol, "client.id", name));
      if (protocol.equals("classic")) kv.addAll(List.of("session.timeout.ms", 10000, "heartbeat.interval.ms", 500));
      kv.addAll(Arrays.asList(extra));
      consumer = consumer(kv.toArray());
      consumer.subscribe(List.of(topic), this);
    }

    @Override public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) consumer.commitSync();
      assignment.removeAll(partitions);
      events.add("revoked " + partitions.size());
    }

    @Override public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      assignment.addAll(partitions);
      assignments++;
      events.add("assigned " + partitions.size());
    }

    @Override public void onPartitionsLost(Collection<TopicPartition> partitions) {
      assignment.removeAll(partitions);
      events.add("lost " + partitions.size());
    }

    int poll(long ms) {
      var records = consumer.poll(Duration.ofMillis(ms));
      for (var r : records) consumed.add(r.value());
      if (!records.isEmpty()) consumer.commitSync();
      return records.count();
    }
  }

  static void until(String what, long ms, Supplier<Boolean> done, Runnable step) {
    long deadline = System.currentTimeMillis() + ms;
    while (!done.get()) {
      if (System.currentTimeMillis() > deadline) throw new IllegalStateException("timed out waiting until " + what);
      step.run();
    }
  }

  /**
   * Two members of one group (classic or KIP-848 "consumer" protocol) over a
   * 4-partition topic of 400 records: the first takes all partitions and
   * consumes the first 200, the second joins, the partitions are split (a
   * rebalance), both consume the 200 produced then, committing after every poll and on
   * revocation. Then a third member of the same group starts at the
   * committed offsets (none of the 400 again) and reads exactly the 20
   * records produced after.
   */
  static void group(Map<String, Object> out, String protocol) throws Exception {
    String topic = prefix + "-group";
    String groupId = prefix + "-g";
    final int partitions = 4, n = 400;
    try (Admin admin = admin()) {
      createTopic(admin, topic, partitions);
      produceNumbered(topic, partitions, 0, n / 2);
      Member a = new Member("a", groupId, protocol, topic);
      until("a is assigned all partitions", WAIT_MS, () -> a.assignment.size() == partitions, () -> a.poll(100));
      until("a consumed the first half", WAIT_MS, () -> a.consumed.size() >= n / 2, () -> a.poll(100));
      out.put("firstAssignment", a.assignment.size());
      Member b = new Member("b", groupId, protocol, topic);
      until("the partitions are split between a and b", WAIT_MS,
          () -> a.assignment.size() + b.assignment.size() == partitions && !a.assignment.isEmpty()
              && !b.assignment.isEmpty(),
          () -> {
            a.poll(50);
            b.poll(50);
          });
      out.put("splitAfterJoin", List.of(a.assignment.size(), b.assignment.size()));
      // The second half lands on both members' partitions.
      produceNumbered(topic, partitions, n / 2, n);
      until("all records are consumed", WAIT_MS, () -> {
        Set<String> seen = new HashSet<>(a.consumed);
        seen.addAll(b.consumed);
        return seen.size() >= n;
      }, () -> {
        a.poll(50);
        b.poll(50);
      });
      Set<String> all = new HashSet<>(a.consumed);
      all.addAll(b.consumed);
      out.put("consumedDistinct", all.size());
      out.put("duplicates", a.consumed.size() + b.consumed.size() - all.size());
      out.put("bothConsumed", !b.consumed.isEmpty() && !a.consumed.isEmpty());
      var description = admin.describeConsumerGroups(List.of(groupId)).all().get(WAIT_MS, TimeUnit.MILLISECONDS)
          .get(groupId);
      out.put("describedState", description.groupState().toString());
      out.put("describedMembers", description.members().size());
      out.put("describedType", description.type().toString());
      a.consumer.close(Duration.ofSeconds(10));
      b.consumer.close(Duration.ofSeconds(10));
      var committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
          .get(WAIT_MS, TimeUnit.MILLISECONDS);
      long committedTotal = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
      out.put("committedTotal", committedTotal);
      try (var p = producer()) {
        for (int i = 0; i < 20; i++) p.send(new ProducerRecord<>(topic, i % partitions, null, "late" + i));
        p.flush();
      }
      Member c = new Member("c", groupId, protocol, topic);
      until("c reads the 20 late records", WAIT_MS, () -> c.consumed.size() >= 20, () -> c.poll(100));
      c.poll(300);
      out.put("resumedConsumed", c.consumed.size());
      out.put("resumedOnlyLate", c.consumed.stream().allMatch(v -> v.startsWith("late")));
      c.consumer.close(Duration.ofSeconds(10));
    }
  }

  static void produceNumbered(String topic, int partitions, int from, int to) {
    try (var p = producer()) {
      for (int i = from; i < to; i++) p.send(new ProducerRecord<>(topic, i % partitions, null, "r" + i));
      p.flush();
    }
  }

  // ---------------------------------------------------------------- consumer features

  /**
   * seek / seekToBeginning / seekToEnd, offsetsForTimes, beginning and end
   * offsets, pause/resume, and static membership (a member with a
   * group.instance.id that closes and comes back within its session timeout
   * keeps its partitions without a rebalance).
   */
  static void consumerFeatures(Map<String, Object> out) throws Exception {
    String topic = prefix + "-features";
    long base = System.currentTimeMillis() - 1_000_000;
    try (Admin admin = admin()) {
      createTopic(admin, topic, 2);
      try (var p = producer()) {
        for (int i = 0; i < 100; i++) {
          p.send(new ProducerRecord<>(topic, 0, base + i * 1000L, "k", "p0-" + i));
          p.send(new ProducerRecord<>(topic, 1, base + i * 1000L, "k", "p1-" + i));
        }
        p.flush();
      }
      TopicPartition p0 = new TopicPartition(topic, 0), p1 = new TopicPartition(topic, 1);
      try (var c = consumer()) {
        c.assign(List.of(p0));
        c.seek(p0, 40);
        var first = pollOne(c);
        out.put("seek40", first == null ? null : List.of(first.offset(), first.value()));
        c.seekToEnd(List.of(p0));
        out.put("positionAfterSeekToEnd", c.position(p0, Duration.ofSeconds(10)));
        c.seekToBeginning(List.of(p0));
        out.put("positionAfterSeekToBeginning", c.position(p0, Duration.ofSeconds(10)));
        var times = c.offsetsForTimes(Map.of(p0, base + 25_500L, p1, base + 10_000_000L), Duration.ofSeconds(10));
        out.put("offsetForTime25500", times.get(p0) == null ? null : times.get(p0).offset());
        out.put("timestampFound", times.get(p0) == null ? null : times.get(p0).timestamp() - base);
        out.put("offsetForTimeAfterEnd", times.get(p1));
        out.put("beginningOffsets", c.beginningOffsets(List.of(p0, p1)).values().stream().sorted().toList());
        out.put("endOffsets", c.endOffsets(List.of(p0, p1)).values().stream().sorted().toList());
      }
      try (var c = consumer()) {
        c.assign(List.of(p0, p1));
        c.seekToBeginning(List.of(p0, p1));
        c.pause(List.of(p1));
        int fromP0 = 0, fromP1WhilePaused = 0;
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (fromP0 < 100 && System.currentTimeMillis() < deadline) {
          for (var r : c.poll(Duration.ofMillis(100))) {
            if (r.partition() == 0) fromP0++;
            else fromP1WhilePaused++;
          }
        }
        for (var r : c.poll(Duration.ofMillis(500))) if (r.partition() == 1) fromP1WhilePaused++;
        out.put("pausedReported", c.paused().contains(p1));
        c.resume(List.of(p1));
        int fromP1 = 0;
        deadline = System.currentTimeMillis() + WAIT_MS;
        while (fromP1 < 100 && System.currentTimeMillis() < deadline) {
          for (var r : c.poll(Duration.ofMillis(100))) if (r.partition() == 1) fromP1++;
        }
        out.put("pause", Map.of("fromP0", fromP0, "fromP1WhilePaused", fromP1WhilePaused, "fromP1AfterResume", fromP1));
      }
      // Static membership (classic protocol).
      String groupId = prefix + "-static";
      Member s1 = new Member("s1", groupId, "classic", topic, "group.instance.id", "instance-1");
      until("s1 is assigned", WAIT_MS, () -> s1.assignment.size() == 2, () -> s1.poll(100));
      int gen1 = s1.consumer.groupMetadata().generationId();
      var d1 = admin.describeConsumerGroups(List.of(groupId)).all().get(WAIT_MS, TimeUnit.MILLISECONDS).get(groupId);
      out.put("staticInstanceIds", d1.members().stream().map(m -> m.groupInstanceId().orElse(null)).toList());
      s1.consumer.close(Duration.ofSeconds(10));
      // A static member that closes does not leave: it is still in the group.
      var d2 = admin.describeConsumerGroups(List.of(groupId)).all().get(WAIT_MS, TimeUnit.MILLISECONDS).get(groupId);
      out.put("membersAfterStaticClose", d2.members().size());
      Member s2 = new Member("s2", groupId, "classic", topic, "group.instance.id", "instance-1");
      until("s2 (same instance) is assigned", WAIT_MS, () -> s2.assignment.size() == 2, () -> s2.poll(100));
      int gen2 = s2.consumer.groupMetadata().generationId();
      out.put("staticRejoinKeptGeneration", gen1 == gen2);
      var d3 = admin.describeConsumerGroups(List.of(groupId)).all().get(WAIT_MS, TimeUnit.MILLISECONDS).get(groupId);
      out.put("membersAfterRejoin", d3.members().size());
      s2.consumer.close(Duration.ofSeconds(10));
    }
  }

  static ConsumerRecord<String, String> pollOne(KafkaConsumer<String, String> c) {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (System.currentTimeMillis() < deadline) {
      var records = c.poll(Duration.ofMillis(200));
      if (!records.isEmpty()) return records.iterator().next();
    }
    return null;
  }

  // ---------------------------------------------------------------- admin

  interface Call {
    Object run() throws Exception;
  }

  /** Runs one admin call; its result, or the exception's class name, and how long it took. */
  static void call(Map<String, Object> results, Map<String, Object> timings, String name, Call call) {
    long t0 = System.nanoTime();
    Object result;
    try {
      result = call.run();
    } catch (Throwable e) {
      Throwable t = e;
      while ((t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
      // A call that ran into its timeout means a broker that does not answer: stop rather than wait on each call.
      if (t instanceof java.util.concurrent.TimeoutException || t instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new IllegalStateException(name + " timed out: " + t.getMessage(), t);
      }
      result = "!" + t.getClass().getSimpleName();
    }
    results.put(name, result);
    timings.put(name, (System.nanoTime() - t0) / 1_000_000);
  }

  static <T> T get(KafkaFuture<T> f) throws Exception {
    return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Every Admin call, each reported as a comparable result or "!ExceptionName".
   * The calls that need an API tsbroker does not serve (ACLs, quotas,
   * quorum) are expected to fail with UnsupportedVersionException against
   * tsbroker, promptly.
   */
  static void admin(Map<String, Object> out) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    Map<String, Object> ms = new LinkedHashMap<>();
    String t1 = prefix + "-a1", t2 = prefix + "-a2", groupId = prefix + "-ag";
    try (Admin admin = admin()) {
      call(r, ms, "createTopics", () -> {
        get(admin.createTopics(List.of(new NewTopic(t1, 2, (short) 1), new NewTopic(t2, 1, (short) 1))).all());
        return "ok";
      });
      call(r, ms, "createTopicsDuplicate", () -> {
        get(admin.createTopics(List.of(new NewTopic(t1, 2, (short) 1))).all());
        return "ok";
      });
      call(r, ms, "createTopicsValidateOnly", () -> {
        get(admin.createTopics(List.of(new NewTopic(prefix + "-a3", 3, (short) 1)),
            new CreateTopicsOptions().validateOnly(true)).all());
        return "ok";
      });
      call(r, ms, "listTopics", () -> get(admin.listTopics().names()).stream().filter(n -> n.startsWith(prefix))
          .sorted().toList());
      call(r, ms, "describeTopics", () -> get(admin.describeTopics(List.of(t1, t2)).allTopicNames()).values().stream()
          .sorted(Comparator.comparing(TopicDescription::name))
          .map(d -> d.name() + ":" + d.partitions().size() + ":" + d.partitions().get(0).replicas().size()).toList());
      call(r, ms, "describeTopicsMissing", () -> get(admin.describeTopics(List.of(prefix + "-nope")).allTopicNames()));
      call(r, ms, "createPartitions", () -> {
        get(admin.createPartitions(Map.of(t2, NewPartitions.increaseTo(3))).all());
        // Kafka applies the new partitions to its metadata cache asynchronously: a describe right after
        // the call may still see the old count, so wait (bounded) for it to catch up.
        long until = System.currentTimeMillis() + 10_000;
        int size;
        while ((size = get(admin.describeTopics(List.of(t2)).allTopicNames()).get(t2).partitions().size()) != 3
            && System.currentTimeMillis() < until) {
          Thread.sleep(100);
        }
        return size;
      });
      call(r, ms, "describeCluster", () -> {
        var c = admin.describeCluster();
        return List.of(get(c.nodes()).size(), get(c.controller()) != null, get(c.clusterId()) != null);
      });
      call(r, ms, "describeFeatures", () -> {
        get(admin.describeFeatures().featureMetadata());
        return "ok";
      });
      // Timestamps chosen so that the largest, base + 9, is on offsets 5 and 6: MAX_TIMESTAMP is the first, 5.
      long base = System.currentTimeMillis() - 60_000;
      int[] stamps = {0, 1, 2, 3, 4, 9, 9, 5, 6, 7};
      try (var p = producer()) {
        for (int i = 0; i < 10; i++) p.send(new ProducerRecord<>(t1, 0, base + stamps[i], null, "v" + i));
        p.flush();
      }
      TopicPartition tp = new TopicPartition(t1, 0);
      call(r, ms, "listOffsetsLatest", () -> get(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all()).get(tp)
          .offset());
      call(r, ms, "listOffsetsEarliest", () -> get(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all())
          .get(tp).offset());
      call(r, ms, "listOffsetsMaxTimestamp", () -> get(admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp()))
          .all()).get(tp).offset());
      call(r, ms, "deleteRecords", () -> get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4)))
          .lowWatermarks().get(tp)).lowWatermark());
      call(r, ms, "listOffsetsEarliestAfterDelete", () -> get(admin.listOffsets(Map.of(tp, OffsetSpec.earliest()))
          .all()).get(tp).offset());
      // A group with committed offsets, made by the admin alone.
      call(r, ms, "alterConsumerGroupOffsets", () -> {
        get(admin.alterConsumerGroupOffsets(groupId, Map.of(tp, new OffsetAndMetadata(7, "meta"),
            new TopicPartition(t1, 1), new OffsetAndMetadata(0))).all());
        return "ok";
      });
      call(r, ms, "listConsumerGroupOffsets", () -> {
        var m = get(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
        return m.entrySet().stream().sorted(Comparator.comparing(e -> e.getKey().toString()))
            .map(e -> e.getKey() + "=" + e.getValue().offset() + "/" + e.getValue().metadata()).toList();
      });
      call(r, ms, "listGroups", () -> get(admin.listGroups().all()).stream().map(GroupListing::groupId)
          .filter(g -> g.startsWith(prefix)).sorted().toList());
      call(r, ms, "describeConsumerGroups", () -> {
        var d = get(admin.describeConsumerGroups(List.of(groupId)).all()).get(groupId);
        return List.of(d.groupState().toString(), d.members().size());
      });
      call(r, ms, "deleteConsumerGroupOffsets", () -> {
        get(admin.deleteConsumerGroupOffsets(groupId, Set.of(new TopicPartition(t1, 1))).all());
        return get(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()).size();
      });
      call(r, ms, "deleteConsumerGroups", () -> {
        get(admin.deleteConsumerGroups(List.of(groupId)).all());
        return get(admin.listGroups().all()).stream().anyMatch(g -> g.groupId().equals(groupId));
      });
      call(r, ms, "deleteConsumerGroupsMissing", () -> {
        get(admin.deleteConsumerGroups(List.of(prefix + "-never")).all());
        return "ok";
      });
      call(r, ms, "deleteTopics", () -> {
        get(admin.deleteTopics(List.of(t2)).all());
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (get(admin.listTopics().names()).contains(t2) && System.currentTimeMillis() < deadline) {
          Thread.sleep(100);
        }
        return get(admin.listTopics().names()).contains(t2);
      });
      // DescribeConfigs and IncrementalAlterConfigs; from describeAcls on, calls whose APIs tsbroker does not serve yet.
      ConfigResource topicResource = new ConfigResource(ConfigResource.Type.TOPIC, t1);
      ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "1");
      call(r, ms, "describeConfigsTopic", () -> get(admin.describeConfigs(List.of(topicResource)).all())
          .get(topicResource).get("cleanup.policy").value());
      call(r, ms, "describeConfigsBroker", () -> {
        get(admin.describeConfigs(List.of(brokerResource)).all());
        return "ok";
      });
      call(r, ms, "incrementalAlterConfigs", () -> {
        get(admin.incrementalAlterConfigs(Map.of(topicResource, List.of(new AlterConfigOp(
            new org.apache.kafka.clients.admin.ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET))))
            .all());
        return "ok";
      });
      call(r, ms, "describeAcls", () -> get(admin.describeAcls(AclBindingFilter.ANY).values()).size());
      call(r, ms, "describeLogDirs", () -> {
        get(admin.describeLogDirs(List.of(1)).allDescriptions());
        return "ok";
      });
      call(r, ms, "listTransactions", () -> get(admin.listTransactions().all()).size());
      // The idempotent producer that wrote the 10 records above: one, at sequence 9.
      call(r, ms, "describeProducers", () -> get(admin.describeProducers(List.of(tp)).all()).get(tp)
          .activeProducers().stream().map(p -> p.lastSequence()).toList());
      call(r, ms, "describeClientQuotas", () -> {
        get(admin.describeClientQuotas(org.apache.kafka.common.quota.ClientQuotaFilter.all()).entities());
        return "ok";
      });
      call(r, ms, "describeUserScramCredentials", () -> get(admin.describeUserScramCredentials().all()).size());
      call(r, ms, "listPartitionReassignments", () -> get(admin.listPartitionReassignments().reassignments()).size());
      call(r, ms, "electLeaders", () -> {
        get(admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).all());
        return "ok";
      });
      call(r, ms, "describeMetadataQuorum", () -> get(admin.describeMetadataQuorum().quorumInfo()).leaderId());
    }
    out.put("results", r);
    out.put("ms", ms);
  }

  // ---------------------------------------------------------------- streams

  /**
   * A stateful word count (re-keyed by word, so a repartition topic, and
   * counted into a store backed by a changelog topic) at least once. Input:
   * lines on a 2-partition topic; output: the running counts, whose last
   * value per word must be the true count.
   */
  static void streams(Map<String, Object> out) throws Exception {
    String in = prefix + "-lines", outTopic = prefix + "-counts", appId = prefix + "-wordcount";
    String[] lines = {"the quick brown fox", "jumps over the lazy dog", "the dog barks", "a fox runs",
        "the end"};
    Map<String, Long> expected = new TreeMap<>();
    int rounds = 10;
    for (int i = 0; i < rounds; i++)
      for (String l : lines) for (String w : l.split(" ")) expected.merge(w, 1L, Long::sum);
    try (Admin admin = admin()) {
      createTopic(admin, in, 2);
      createTopic(admin, outTopic, 2);
      StreamsBuilder builder = new StreamsBuilder();
      builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
          .flatMapValues(v -> Arrays.asList(v.split(" ")))
          .groupBy((k, w) -> w, Grouped.with("by-word", Serdes.String(), Serdes.String()))
          .count(Materialized.as("counts"))
          .toStream()
          .to(outTopic, Produced.with(Serdes.String(), Serdes.Long()));
      Properties p = props(StreamsConfig.APPLICATION_ID_CONFIG, appId,
          StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE,
          // A state dir of its own: the same app id runs against several brokers from one tmpdir, and a store left
          // by an earlier run would carry its counts (and changelog checkpoints) into this one.
          StreamsConfig.STATE_DIR_CONFIG,
          java.nio.file.Files.createTempDirectory(new File(tmpdir).toPath(), "streams-" + prefix + "-").toString(),
          StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 500,
          StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0,
          StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1,
          "consumer.auto.offset.reset", "earliest",
          "consumer.session.timeout.ms", 10000,
          "consumer.heartbeat.interval.ms", 500);
      List<String> states = Collections.synchronizedList(new ArrayList<>());
      List<String> errors = Collections.synchronizedList(new ArrayList<>());
      KafkaStreams streams = new KafkaStreams(builder.build(), p);
      streams.setStateListener((now, before) -> states.add(now.toString()));
      streams.setUncaughtExceptionHandler(e -> {
        // The whole chain: Streams wraps the broker's answer (e.g. a refused topic config) in its own exceptions.
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
          chain.append(chain.length() == 0 ? "" : " <- ").append(t.getClass().getSimpleName()).append(": ")
              .append(t.getMessage());
        }
        errors.add(chain.toString());
        return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
            .SHUTDOWN_CLIENT;
      });
      streams.start();
      try (var producer = producer(); var c = new KafkaConsumer<String, Long>(props("group.id", prefix + "-reader",
          "auto.offset.reset", "earliest", "key.deserializer", StringDeserializer.class.getName(),
          "value.deserializer", LongDeserializer.class.getName()))) {
        for (int i = 0; i < rounds; i++)
          for (int j = 0; j < lines.length; j++) producer.send(new ProducerRecord<>(in, "line" + j, lines[j]));
        producer.flush();
        c.subscribe(List.of(outTopic));
        Map<String, Long> counts = new TreeMap<>();
        long deadline = System.currentTimeMillis() + 60_000;
        while (!counts.equals(expected) && System.currentTimeMillis() < deadline && errors.isEmpty()
            && streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.NOT_RUNNING) {
          for (var r : c.poll(Duration.ofMillis(200))) counts.put(r.key(), r.value());
        }
        out.put("countsCorrect", counts.equals(expected));
        out.put("wordsCounted", counts.size());
        if (!counts.equals(expected)) {
          out.put("counts", counts.toString());
          out.put("expected", expected.toString());
          out.put("states", String.join(",", states));
        }
        out.put("stateAtEnd", streams.state().toString());
        out.put("reachedRunning", states.contains("RUNNING"));
        out.put("errors", errors);
        out.put("internalTopics", get(admin.listTopics().names()).stream().filter(n -> n.startsWith(appId))
            .map(n -> n.substring(appId.length() + 1)).sorted().toList());
        var changelog = new ConfigResource(ConfigResource.Type.TOPIC, appId + "-counts-changelog");
        out.put("changelogCleanupPolicy",
            get(admin.describeConfigs(List.of(changelog)).all()).get(changelog).get("cleanup.policy").value());
      } finally {
        streams.close(Duration.ofSeconds(15));
      }
    }
  }

  // ---------------------------------------------------------------- tools

  /** Runs one of Kafka's command-line tools in this JVM: exit code and output, Exit.exit trapped. */
  static Map<String, Object> tool(String mainClass, String stdin, String... args) {
    Map<String, Object> r = new LinkedHashMap<>();
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream(), errBytes = new ByteArrayOutputStream();
    PrintStream oldOut = System.out, oldErr = System.err;
    InputStream oldIn = System.in;
    long t0 = System.nanoTime();
    Integer code = null;
    firstExit = null;
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.UTF_8)));
      Class.forName(mainClass).getMethod("main", String[].class).invoke(null, (Object) args);
      code = 0;
    } catch (java.lang.reflect.InvocationTargetException e) {
      code = e.getCause() instanceof ExitTrap trap ? trap.code : -1;
      if (!(e.getCause() instanceof ExitTrap) && firstExit == null) {
        errBytes.writeBytes(("\n" + describe(e.getCause())).getBytes());
      }
    } catch (ExitTrap trap) {
      code = trap.code;
    } catch (Exception e) {
      code = -2;
      errBytes.writeBytes(("\n" + describe(e)).getBytes());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.setIn(oldIn);
    }
    r.put("code", firstExit != null ? firstExit : code);
    r.put("ms", (System.nanoTime() - t0) / 1_000_000);
    r.put("stdout", outBytes.toString(StandardCharsets.UTF_8));
    String err = errBytes.toString(StandardCharsets.UTF_8);
    r.put("stderr", err.length() > 3000 ? err.substring(err.length() - 3000) : err);
    return r;
  }

  /** The first Exit.exit code of the running tool: a tool that catches the trap and exits again keeps it. */
  static Integer firstExit;

  static final class ExitTrap extends RuntimeException {
    final int code;

    ExitTrap(int code) {
      super("exit " + code, null, false, false);
      this.code = code;
    }
  }

  /**
   * Kafka's tools, each by its main class as the bin/ scripts run it:
   * kafka-topics (create, list, describe, alter partitions), the console
   * producer and consumer, kafka-consumer-groups (list, describe, reset
   * offsets), kafka-configs (describe and alter) and the producer and
   * consumer perf tests.
   */
  static void tools(Map<String, Object> out) throws Exception {
    Exit.Procedure trap = (code, message) -> {
      if (firstExit == null) firstExit = code;
      throw new ExitTrap(code);
    };
    Exit.setExitProcedure(trap);
    Exit.setHaltProcedure(trap);
    String topic = prefix + "-tools", perf = prefix + "-perf", groupId = prefix + "-tg";
    Map<String, Object> r = new LinkedHashMap<>();
    String topics = "org.apache.kafka.tools.TopicCommand";
    r.put("topicsCreate", tool(topics, null, "--bootstrap-server", bootstrap, "--create", "--topic", topic,
        "--partitions", "2", "--replication-factor", "1"));
    r.put("topicsCreatePerf", tool(topics, null, "--bootstrap-server", bootstrap, "--create", "--topic", perf,
        "--partitions", "1"));
    r.put("topicsList", tool(topics, null, "--bootstrap-server", bootstrap, "--list"));
    r.put("topicsAlter", tool(topics, null, "--bootstrap-server", bootstrap, "--alter", "--topic", topic,
        "--partitions", "3"));
    r.put("topicsDescribe", tool(topics, null, "--bootstrap-server", bootstrap, "--describe", "--topic", topic));
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < 30; i++) input.append("key").append(i % 3).append(":line-").append(i).append('\n');
    r.put("consoleProducer", tool("org.apache.kafka.tools.ConsoleProducer", input.toString(), "--bootstrap-server",
        bootstrap, "--topic", topic, "--property", "parse.key=true", "--property", "key.separator=:"));
    String consumer = "org.apache.kafka.tools.consumer.ConsoleConsumer";
    r.put("consoleConsumer", tool(consumer, null, "--bootstrap-server", bootstrap, "--topic", topic,
        "--from-beginning", "--max-messages", "30", "--timeout-ms", "20000", "--group", groupId,
        "--property", "print.key=true", "--property", "print.partition=true"));
    String groups = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    r.put("groupsList", tool(groups, null, "--bootstrap-server", bootstrap, "--list"));
    r.put("groupsDescribe", tool(groups, null, "--bootstrap-server", bootstrap, "--describe", "--group", groupId));
    r.put("groupsResetDryRun", tool(groups, null, "--bootstrap-server", bootstrap, "--reset-offsets", "--group",
        groupId, "--topic", topic, "--to-earliest", "--dry-run"));
    r.put("groupsReset", tool(groups, null, "--bootstrap-server", bootstrap, "--reset-offsets", "--group", groupId,
        "--topic", topic, "--to-offset", "5", "--execute"));
    r.put("groupsDescribeAfterReset", tool(groups, null, "--bootstrap-server", bootstrap, "--describe", "--group",
        groupId, "--offsets"));
    r.put("consoleConsumerAfterReset", tool(consumer, null, "--bootstrap-server", bootstrap, "--topic", topic,
        "--max-messages", "20", "--timeout-ms", "15000", "--group", groupId));
    String configs = "org.apache.kafka.tools.ConfigCommand";
    r.put("configsDescribe", tool(configs, null, "--bootstrap-server", bootstrap, "--describe", "--entity-type",
        "topics", "--entity-name", topic));
    r.put("configsAlter", tool(configs, null, "--bootstrap-server", bootstrap, "--alter", "--entity-type", "topics",
        "--entity-name", topic, "--add-config", "retention.ms=3600000"));
    r.put("producerPerf", tool("org.apache.kafka.tools.ProducerPerformance", null, "--topic", perf, "--num-records",
        "20000", "--record-size", "100", "--throughput", "-1", "--producer-props", "bootstrap.servers=" + bootstrap,
        "acks=all", "linger.ms=5"));
    r.put("consumerPerf", tool("org.apache.kafka.tools.ConsumerPerformance", null, "--bootstrap-server", bootstrap,
        "--topic", perf, "--messages", "20000", "--timeout", "20000"));
    out.put("tools", r);
  }

  // ---------------------------------------------------------------- JSON

  static final class Json {
    static String write(Object o) {
      StringBuilder sb = new StringBuilder();
      write(sb, o);
      return sb.toString();
    }

    static void write(StringBuilder sb, Object o) {
      if (o == null) sb.append("null");
      else if (o instanceof String s) string(sb, s);
      else if (o instanceof Boolean || o instanceof Integer || o instanceof Long || o instanceof Short) sb.append(o);
      else if (o instanceof Number n) sb.append(n.doubleValue());
      else if (o instanceof Map<?, ?> m) {
        sb.append('{');
        boolean first = true;
        for (var e : m.entrySet()) {
          if (!first) sb.append(',');
          first = false;
          string(sb, String.valueOf(e.getKey()));
          sb.append(':');
          write(sb, e.getValue());
        }
        sb.append('}');
      } else if (o instanceof Collection<?> c) {
        sb.append('[');
        boolean first = true;
        for (var e : c) {
          if (!first) sb.append(',');
          first = false;
          write(sb, e);
        }
        sb.append(']');
      } else string(sb, o.toString());
    }

    static void string(StringBuilder sb, String s) {
      sb.append('"');
      for (char ch : s.toCharArray()) {
        switch (ch) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
            else sb.append(ch);
          }
        }
      }
      sb.append('"');
    }
  }
}
