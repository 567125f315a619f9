"""confluent-kafka (librdkafka) scenarios against one broker, for tests/clients/clients_test.ts.

    python confluent_scenarios.py <bootstrap> <scenario> <prefix>

Scenarios: produce, group-classic, group-consumer, admin. Prints one JSON
object whose fields are meant to be compared between tsbroker and the
reference Kafka. Every wait is bounded; a scenario that cannot finish reports
"error". Topics are named <prefix>-..., so one broker can serve several runs.
"""
import json
import sys
import time

from confluent_kafka import (
    Consumer, ConsumerGroupTopicPartitions, KafkaError, KafkaException, Producer, TopicPartition,
)
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic, OffsetSpec

BOOTSTRAP, SCENARIO, PREFIX = sys.argv[1], sys.argv[2], sys.argv[3]
WAIT = 30.0
QUIET = {"log_level": 3}


def err_name(e):
    if isinstance(e, KafkaException) and e.args and isinstance(e.args[0], KafkaError):
        return "!" + e.args[0].name()
    return "!" + type(e).__name__


def admin_client():
    return AdminClient({"bootstrap.servers": BOOTSTRAP, **QUIET})


def create_topic(admin, name, partitions):
    admin.create_topics([NewTopic(name, partitions, 1)])[name].result(WAIT)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        md = admin.list_topics(name, timeout=5).topics.get(name)
        if md and md.error is None and len(md.partitions) == partitions and all(
                p.leader >= 0 for p in md.partitions.values()):
            return
        time.sleep(0.1)
    raise RuntimeError(f"topic {name} did not appear in metadata")


def read_all(topic, partitions, n):
    consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"{PREFIX}-reader", "enable.auto.commit": False,
                         **QUIET})
    got = []
    try:
        consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        deadline = time.monotonic() + WAIT
        extra = None
        while time.monotonic() < deadline:
            if len(got) >= n:
                extra = extra or time.monotonic() + 0.3
                if time.monotonic() > extra:
                    break
            for m in consumer.consume(100, 0.1):
                if m.error() is None:
                    got.append(m)
    finally:
        consumer.close()
    return got


def produce(out):
    """Per variant (acks 0/1/all, idempotent, each codec): 60 keyed records with two headers, read back."""
    variants = [
        ("acks0", {"acks": 0}),
        ("acks1", {"acks": 1}),
        ("acksAll", {"acks": "all"}),
        ("idempotent", {"enable.idempotence": True}),
        ("gzip", {"compression.type": "gzip"}),
        ("snappy", {"compression.type": "snappy"}),
        ("lz4", {"compression.type": "lz4"}),
        ("zstd", {"compression.type": "zstd"}),
    ]
    n = 60
    admin = admin_client()
    for name, _ in variants:
        create_topic(admin, f"{PREFIX}-{name}", 3)
    results = {}
    for name, config in variants:
        topic = f"{PREFIX}-{name}"
        producer = Producer({"bootstrap.servers": BOOTSTRAP, "linger.ms": 5, "message.timeout.ms": 30000,
                             # librdkafka's default partitioner hashes with CRC32; murmur2 is the Java one.
                             "partitioner": "murmur2_random", **config, **QUIET})
        state = {"acked": 0, "failed": [], "offsetsKnown": True}

        def report(err, msg, state=state):
            if err is not None:
                state["failed"].append(err.name())
            else:
                state["acked"] += 1
                state["offsetsKnown"] = state["offsetsKnown"] and msg.offset() is not None and msg.offset() >= 0

        for i in range(n):
            producer.produce(topic, key=f"k{i % 7}".encode(), value=f"{name}-{i}".encode(),
                             headers=[("variant", name.encode()), ("seq", str(i).encode())], on_delivery=report)
        remaining = producer.flush(WAIT)
        if remaining:
            state["failed"].append(f"{remaining} not delivered in time")
        got = read_all(topic, 3, n)
        last_offset, last_seq, key_partition, seqs = {}, {}, {}, set()
        in_order = intact = keyed = True
        for m in got:
            headers = dict(m.headers() or [])
            seq = int(headers["seq"])
            seqs.add(seq)
            p = m.partition()
            if p in last_offset and m.offset() != last_offset[p] + 1:
                in_order = False
            if p in last_seq and seq <= last_seq[p]:
                in_order = False
            last_offset[p], last_seq[p] = m.offset(), seq
            if (m.value() != f"{name}-{seq}".encode() or m.key() != f"k{seq % 7}".encode()
                    or headers.get("variant") != name.encode() or len(m.headers()) != 2):
                intact = False
            if key_partition.setdefault(m.key(), p) != p:
                keyed = False
        results[name] = {
            "acknowledged": state["acked"], "failed": state["failed"], "offsetsKnown": state["offsetsKnown"],
            "received": len(got), "complete": len(seqs) == n, "inOrderPerPartition": in_order,
            "keysValuesHeadersIntact": intact, "sameKeySamePartition": keyed,
        }
    out["variants"] = results


class Member:
    """A group member polled by the scenario's loop; commits after each batch and before giving partitions up."""

    def __init__(self, name, group_id, topic, protocol):
        config = {"bootstrap.servers": BOOTSTRAP, "group.id": group_id, "client.id": name,
                  "enable.auto.commit": False, "auto.offset.reset": "earliest", "group.protocol": protocol, **QUIET}
        if protocol == "classic":
            config.update({"session.timeout.ms": 10000, "heartbeat.interval.ms": 500})
        self.consumer = Consumer(config)
        self.assignment = set()
        self.consumed = []
        self.errors = []
        self.consumer.subscribe([topic], on_assign=self.on_assign, on_revoke=self.on_revoke, on_lost=self.on_lost)

    def on_assign(self, consumer, partitions):
        # Cooperative protocols pass only the added partitions; eager ones pass the whole assignment.
        self.assignment |= {p.partition for p in partitions}

    def on_revoke(self, consumer, partitions):
        try:
            consumer.commit(asynchronous=False)
        except KafkaException:
            pass  # nothing consumed since the last commit
        self.assignment -= {p.partition for p in partitions}

    def on_lost(self, consumer, partitions):
        self.assignment -= {p.partition for p in partitions}

    def poll(self, timeout=0.05):
        values = []
        for m in self.consumer.consume(100, timeout):
            if m.error() is None:
                values.append(m.value().decode())
            elif m.error().code() != KafkaError._PARTITION_EOF:
                self.errors.append(m.error().name())
        if values:
            self.consumer.commit(asynchronous=False)
            self.consumed.extend(values)


def until(what, done, step):
    deadline = time.monotonic() + WAIT
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting until {what}")
        step()


def produce_numbered(topic, partitions, start, end):
    producer = Producer({"bootstrap.servers": BOOTSTRAP, "linger.ms": 5, **QUIET})
    for i in range(start, end):
        producer.produce(topic, value=f"r{i}".encode(), partition=i % partitions)
    if producer.flush(WAIT):
        raise TimeoutError("records not delivered in time")


def group(out, protocol):
    """a takes all 4 partitions and 200 records; b joins, the partitions are split; both consume 200 more;
    then c resumes at the committed offsets and reads only the 20 records produced after."""
    topic, group_id, partitions, n = f"{PREFIX}-group", f"{PREFIX}-g", 4, 400
    admin = admin_client()
    create_topic(admin, topic, partitions)
    produce_numbered(topic, partitions, 0, n // 2)
    a = Member("a", group_id, topic, protocol)
    until("a is assigned all partitions and consumed 200",
          lambda: len(a.assignment) == partitions and len(a.consumed) >= n // 2, a.poll)
    out["firstAssignment"] = len(a.assignment)
    b = Member("b", group_id, topic, protocol)

    def both():
        a.poll(0.02)
        b.poll(0.02)
    until("the partitions are split between a and b",
          lambda: a.assignment and b.assignment and len(a.assignment) + len(b.assignment) == partitions, both)
    out["splitAfterJoin"] = [len(a.assignment), len(b.assignment)]
    produce_numbered(topic, partitions, n // 2, n)
    until("all records are consumed", lambda: len(set(a.consumed) | set(b.consumed)) >= n, both)
    distinct = set(a.consumed) | set(b.consumed)
    out["consumedDistinct"] = len(distinct)
    out["duplicates"] = len(a.consumed) + len(b.consumed) - len(distinct)
    out["bothConsumed"] = bool(a.consumed and b.consumed)
    out["consumerErrors"] = a.errors + b.errors
    g = admin.describe_consumer_groups([group_id])[group_id].result(WAIT)
    out["describedState"], out["describedMembers"] = g.state.name, len(g.members)
    out["describedType"] = g.type.name if hasattr(g, "type") and g.type is not None else None
    a.consumer.close()
    b.consumer.close()
    committed = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group_id)])[group_id].result(WAIT)
    out["committedTotal"] = sum(tp.offset for tp in committed.topic_partitions)
    produce_numbered(topic, partitions, 1000, 1020)
    c = Member("c", group_id, topic, protocol)
    until("c reads the 20 late records", lambda: len(c.consumed) >= 20, c.poll)
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        c.poll()
    out["resumedConsumed"] = len(c.consumed)
    out["resumedOnlyLate"] = all(int(v[1:]) >= 1000 for v in c.consumed)
    c.consumer.close()


def admin(out):
    """AdminClient calls, each a comparable result or "!ERROR_NAME", with how long it took."""
    r, ms = {}, {}
    t1, t2, group_id = f"{PREFIX}-a1", f"{PREFIX}-a2", f"{PREFIX}-ag"
    client = admin_client()

    def call(name, fn):
        start = time.monotonic()
        try:
            r[name] = fn()
        except Exception as e:  # noqa: BLE001
            r[name] = err_name(e)
        ms[name] = int((time.monotonic() - start) * 1000)

    def all_of(futures):
        return [f.result(WAIT) for f in futures.values()]

    call("createTopics", lambda: all_of(client.create_topics([NewTopic(t1, 2, 1), NewTopic(t2, 1, 1)])) and "ok")
    call("createTopicsDuplicate", lambda: all_of(client.create_topics([NewTopic(t1, 2, 1)])) and "ok")
    call("createTopicsValidateOnly", lambda: all_of(client.create_topics(
        [NewTopic(f"{PREFIX}-a3", 3, 1)], validate_only=True)) and "ok")
    call("listTopics", lambda: sorted(
        f"{t}:{len(md.partitions)}" for t, md in client.list_topics(timeout=WAIT).topics.items()
        if t.startswith(PREFIX)))
    call("describeCluster", lambda: (lambda c: [len(c.nodes), c.controller is not None, bool(c.cluster_id)])(
        client.describe_cluster().result(WAIT)))
    call("createPartitions", lambda: all_of(client.create_partitions([NewPartitions(t2, 3)])) and "ok")
    producer = Producer({"bootstrap.servers": BOOTSTRAP, **QUIET})
    # Timestamps chosen so that the largest, base + 9, is on offsets 5 and 6: the max-timestamp offset is the first, 5.
    base = int(time.time() * 1000) - 60000
    for i, stamp in enumerate([0, 1, 2, 3, 4, 9, 9, 5, 6, 7]):
        producer.produce(t1, value=f"v{i}".encode(), partition=0, timestamp=base + stamp)
    producer.flush(WAIT)
    tp = TopicPartition(t1, 0)

    def offset(spec):
        return client.list_offsets({tp: spec})[tp].result(WAIT).offset
    call("listOffsetsLatest", lambda: offset(OffsetSpec.latest()))
    call("listOffsetsEarliest", lambda: offset(OffsetSpec.earliest()))
    call("listOffsetsMaxTimestamp", lambda: offset(OffsetSpec.max_timestamp()))
    call("deleteRecords", lambda: client.delete_records([TopicPartition(t1, 0, 4)])[tp].result(WAIT).low_watermark)
    call("listOffsetsEarliestAfterDelete", lambda: offset(OffsetSpec.earliest()))
    call("alterConsumerGroupOffsets", lambda: client.alter_consumer_group_offsets([ConsumerGroupTopicPartitions(
        group_id, [TopicPartition(t1, 0, 7, metadata="meta"), TopicPartition(t1, 1, 0)])])[group_id].result(WAIT)
        and "ok")
    call("listConsumerGroupOffsets", lambda: sorted(
        f"{x.topic}-{x.partition}={x.offset}/{x.metadata or ''}" for x in client.list_consumer_group_offsets(
            [ConsumerGroupTopicPartitions(group_id)])[group_id].result(WAIT).topic_partitions))
    call("listConsumerGroups", lambda: sorted(
        g.group_id for g in client.list_consumer_groups().result(WAIT).valid if g.group_id.startswith(PREFIX)))
    call("describeConsumerGroups", lambda: (lambda g: [g.state.name, len(g.members)])(
        client.describe_consumer_groups([group_id])[group_id].result(WAIT)))
    call("deleteConsumerGroups", lambda: all_of(client.delete_consumer_groups([group_id])) and "ok")
    call("deleteTopics", lambda: all_of(client.delete_topics([t2])) and "ok")
    # DescribeConfigs, then ACLs, which tsbroker does not serve yet.
    topic_resource = ConfigResource(ConfigResource.Type.TOPIC, t1)
    call("describeConfigs", lambda: all_of(client.describe_configs([topic_resource]))[0]["cleanup.policy"].value)
    call("describeAcls", lambda: "ok" if client.describe_acls(_any_acl()).result(WAIT) is not None else "ok")
    out["results"], out["ms"] = r, ms


def _any_acl():
    from confluent_kafka.admin import (
        AclBindingFilter, AclOperation, AclPermissionType, ResourcePatternType, ResourceType,
    )
    return AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY,
                            AclPermissionType.ANY)


def main():
    out = {}
    start = time.monotonic()
    try:
        if SCENARIO == "produce":
            produce(out)
        elif SCENARIO == "group-classic":
            group(out, "classic")
        elif SCENARIO == "group-consumer":
            group(out, "consumer")
        elif SCENARIO == "admin":
            admin(out)
        else:
            raise ValueError(f"unknown scenario {SCENARIO}")
    except Exception as e:  # noqa: BLE001
        out["error"] = f"{type(e).__name__}: {e}"
    out["elapsedMs"] = int((time.monotonic() - start) * 1000)
    print(json.dumps(out), flush=True)


main()
